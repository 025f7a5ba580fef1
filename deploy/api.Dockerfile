# The Python image for api, worker, scheduler (and the emulator under the demo profile).
FROM node:20-bookworm-slim AS panel
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
COPY emulator/ ./emulator/
RUN pip install --no-cache-dir -U pip \
 && pip install --no-cache-dir -c constraints.txt ./api ./emulator \
 && useradd --system --uid 10001 app
COPY --from=panel /src/web/dist ./web/dist
ENV WEB_DIST_DIR=/app/web/dist ENVIRONMENT=production API_HOST=0.0.0.0
USER app
EXPOSE 8000
CMD ["spapi-saas", "api"]
