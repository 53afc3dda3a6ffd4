# syntax=docker/dockerfile:1
#
# One image for every AISBF service. The service is the first argument:
#   docker run aisbf edge-api | router | provider-workers | analytics | broker
# Database migrations (idempotent, take a DB lock):
#   docker run --entrypoint node aisbf tools/db/migrate.mjs deploy
#
# There is no compile step: tools/run-service.mjs starts a service from the TypeScript sources.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------------------------------
# build: dependencies (npm ci; its postinstall runs `prisma generate`) and the sources
# ---------------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
# package.json has an `allowScripts` policy, which needs npm >= 11 (the image ships npm 10, which would ignore it and
# run every dependency's install script, Prisma's engine download included). Use the npm the lockfile was made with.
ARG NPM_VERSION=11.19.1
RUN npm install --global "npm@${NPM_VERSION}" && npm cache clean --force
WORKDIR /app
# Only what `npm ci` needs, so this layer is rebuilt only when dependencies or the Prisma schema change.
# postinstall = `prisma generate`: it reads prisma.config.ts, prisma/schema.prisma and the schema-engine stub it names.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY tools/schema-engine-stub ./tools/schema-engine-stub
RUN --mount=type=cache,target=/root/.npm npm ci
# The sources. .dockerignore keeps node_modules and the generated Prisma client out, so nothing made above is replaced.
COPY . .

# ---------------------------------------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    AISBF_CONFIG_DIR=/app/config \
    AISBF_MIGRATE_ON_START=false
WORKDIR /app
# Owned by root and not writable by the service user: the code is immutable at run time.
COPY --from=build /app /app
# The `node` user of the base image (uid/gid 1000). Numeric, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# edge-api (public API), then the health ports of router, provider-workers, analytics and broker (broker websocket too).
EXPOSE 17765 17770 17771 17772 17773
ENTRYPOINT ["node", "tools/run-service.mjs"]
CMD ["edge-api"]
