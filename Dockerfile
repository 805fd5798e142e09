# Image of wechat-interface-exporter. See docs/deploy.md for how to run it.
#
#   docker build -t wechat-interface-exporter \
#     --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .
#   docker run --rm -p 10071:10071 wechat-interface-exporter --demo

# ---------------------------------------------------------------------------------------------
# Build stage: full Debian image, because better-sqlite3 is a native addon that node-gyp compiles
# with python3, make and g++. The addon is built here, against the same Node major and the same
# glibc as the runtime stage, so the runtime image needs no toolchain.
FROM node:24-bookworm AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# Dependencies first: this layer is reused until package.json or the lockfile changes.
# Install scripts run only for the packages approved in package.json's allowScripts.
COPY package.json package-lock.json ./
RUN npm ci

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# npm run build records branch, revision and date with it; without .git here they stay unknown and
# the build args below (WECHAT_EXPORTER_REVISION, _BUILD_DATE) say them instead.
COPY scripts/build-info.ts ./scripts/
# Then drop dev dependencies but keep the addon compiled above (npm ci --omit=dev would compile it
# again), and of better-sqlite3's build keep only the addon itself: its C sources, object files
# and test extension are not needed to load build/Release/better_sqlite3.node.
RUN npm run build \
 && npm prune --omit=dev \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release && mv /tmp/better_sqlite3.node build/Release/ \
 && cd /app \
 && test -f dist/src/cli.js

# ---------------------------------------------------------------------------------------------
# Runtime stage: slim Debian with Node only. No shell tools are needed: the health check uses node.
FROM node:24-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Owned by root and read-only for the node user: the process cannot modify its own code.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src

# The store lives on /data. /app/data points there too, so the default --storage.path
# (./data/wechat-exporter.db, relative to /app) also lands on the volume when the arguments
# replace CMD, as in `docker run IMAGE --demo`.
RUN mkdir -p /data && chown 1000:1000 /data && chmod 0750 /data && ln -s /data /app/data
VOLUME /data

# Numeric uid:gid of the image's `node` user, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 10071

# No curl in the slim image: node's fetch asks /-/healthy. Set HEALTHCHECK_URL when the exporter
# listens somewhere other than :10071.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL || 'http://127.0.0.1:10071/-/healthy', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Build metadata last, so a new revision does not invalidate the layers above.
# WECHAT_EXPORTER_REVISION fills the revision label of wechat_exporter_build_info; it and
# WECHAT_EXPORTER_BUILD_DATE are what --version prints.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=""
ARG SOURCE=""
ENV WECHAT_EXPORTER_REVISION=${REVISION} \
    WECHAT_EXPORTER_BUILD_DATE=${CREATED}
LABEL org.opencontainers.image.title="wechat-interface-exporter" \
      org.opencontainers.image.description="Prometheus exporter for WeChat Official Account interface summary statistics" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="docker.io/library/node:24-bookworm-slim"

# Exec form: node is PID 1 and receives SIGTERM itself; the daemon handles it and exits 0.
# Arguments given to `docker run IMAGE ...` replace CMD and follow the entrypoint, e.g. `--demo`,
# `--config.file=/etc/wechat-interface-exporter/config.yml` or `check-config --config.file=...`.
# Memory (docs/deploy.md, sizing): a 1 MiB young generation instead of V8's 16 MiB semi-spaces;
# the old generation grown by half its live size rather than up to four times (under hard
# scraping the heap had grown by some 70 MiB at 1,000 accounts); and glibc returning large freed
# buffers (the prepared /metrics families) to the system at once instead of keeping them in its heap.
# The program applies the same settings itself when node is started without them (src/launch/,
# which starts node again); given here, node starts once, and stays PID 1 (test/launch checks both agree).
ENV MALLOC_MMAP_THRESHOLD_=131072
ENTRYPOINT ["node", "--max-semi-space-size=1", "--heap-growing-percent=50", "/app/dist/src/cli.js"]
CMD ["--storage.path=/data/wechat-exporter.db"]
