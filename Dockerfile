# Vaultwire's production image: the compiled tree under plain node, as `npm start` runs
# it. Build: `docker build -t vaultwire .`; run a role with
# `docker run vaultwire start --roles delivery` (settings from the environment, see the
# README's configuration table; deploy/ has Kubernetes manifests using this image).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
COPY packages ./packages
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    VW_PROFILE=prod \
    VW_DATA_DIR=/tmp/vaultwire
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at start: migrate.ts looks three folders above dist/platform/db.
COPY migrations ./migrations
# Not root; the Kubernetes manifests run as this user with a read-only root filesystem.
USER 10001:10001
EXPOSE 8080 9464
ENTRYPOINT ["node", "--enable-source-maps", "dist/bin/vaultwire.js"]
CMD ["start"]
