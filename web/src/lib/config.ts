export const APP_NAME = 'Seller Panel'
