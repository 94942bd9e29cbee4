# The casegraph image used by docker-compose.yml (service `casegraph`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# /data/evidence exists in the image, owned by casegraph, so a volume mounted there
# (docker-compose.yml) starts out writable by it
RUN groupadd --gid 10001 casegraph \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin casegraph \
    && mkdir -p /data/evidence \
    && chown -R casegraph:casegraph /data

# Install the repository as a package (what .dockerignore leaves of it), with the PostgreSQL
# driver for the application state, then drop the sources.
COPY . /tmp/casegraph-src
RUN pip install "/tmp/casegraph-src[postgres]" \
    && rm -rf /tmp/casegraph-src

# the casegraph user, by number (so a runtime can check it is not root)
USER 10001:10001
# Relative paths (sample data, casegraph-state.sqlite, rejects) land in /data (a volume in docker-compose.yml).
WORKDIR /data
EXPOSE 8050
# gunicorn stops gracefully on SIGTERM (docker stop): requests in flight finish first
STOPSIGNAL SIGTERM
CMD ["casegraph", "demo", "--host", "0.0.0.0"]
