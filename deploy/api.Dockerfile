# The Python image for api, worker, scheduler and notifications: the product only. The Amazon
# emulator (deploy/emulator.Dockerfile) and the embedded PostgreSQL/Redis of `spapi-saas dev`
# (the `local` extra) are not in it.
# Node 22: the active LTS line (20 reached its end of life in April 2026).
FROM node:22-bookworm-slim AS panel
# Clerk's publishable key is public and baked into the panel at build time; empty: built-in sign-in.
ARG VITE_CLERK_PUBLISHABLE_KEY=""
ENV VITE_CLERK_PUBLISHABLE_KEY=${VITE_CLERK_PUBLISHABLE_KEY}
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY constraints.txt ./
COPY api/ ./api/
RUN pip install --no-cache-dir -U pip \
 && pip install --no-cache-dir -c constraints.txt ./api \
 && useradd --system --uid 10001 app
COPY --from=panel /src/web/dist ./web/dist
ENV WEB_DIST_DIR=/app/web/dist ENVIRONMENT=production API_HOST=0.0.0.0
USER app
EXPOSE 8000
CMD ["spapi-saas", "api"]
