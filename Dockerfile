# Spinnen in het web — API service image.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    NETWERK_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY netwerk ./netwerk
COPY api ./api
COPY web ./web
COPY migrations ./migrations
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home /app netwerk \
    && mkdir -p /data && chown netwerk /data

USER netwerk
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status == 200 else 1)"

# `netwerk serve` runs the migrations, then uvicorn.
CMD ["netwerk", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
