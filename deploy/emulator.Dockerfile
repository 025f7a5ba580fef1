# The Amazon emulator, for `docker compose --profile demo` only: never part of the product's images.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY constraints.txt ./
COPY emulator/ ./emulator/
RUN pip install --no-cache-dir -U pip \
 && pip install --no-cache-dir -c constraints.txt ./emulator \
 && useradd --system --uid 10001 emulator
USER emulator
EXPOSE 8100
CMD ["amazon-emulator", "--demo", "--host", "0.0.0.0", "--port", "8100"]
