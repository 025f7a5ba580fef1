# The panel as static files behind nginx, proxying the API (the api image also serves the panel at /).
# Node 22: the active LTS line (20 reached its end of life in April 2026).
FROM node:22-bookworm-slim AS build
# Clerk's publishable key is public and baked into the panel at build time; empty: built-in sign-in.
ARG VITE_CLERK_PUBLISHABLE_KEY=""
ENV VITE_CLERK_PUBLISHABLE_KEY=${VITE_CLERK_PUBLISHABLE_KEY}
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM nginx:1.27-alpine
# A template: the image's entrypoint substitutes the environment into it (conf.d/default.conf).
COPY deploy/nginx.conf /etc/nginx/templates/default.conf.template
RUN rm -f /etc/nginx/conf.d/default.conf
COPY --from=build /src/web/dist /usr/share/nginx/html
# Origins the panel's CSP also allows (Clerk's Frontend API when the panel uses Clerk); defined
# even when empty so that the template's placeholder is always replaced.
ENV CSP_EXTRA_SOURCES=""
EXPOSE 8080
