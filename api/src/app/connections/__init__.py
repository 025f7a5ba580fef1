"""Amazon accounts linked to a tenant: SP-API selling partners and Ads advertisers, connected by OAuth."""
