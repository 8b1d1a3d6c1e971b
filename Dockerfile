# Kamflow's image: the CLI compiled, production dependencies only. One image for every role;
# the command chooses it (`serve` for the console and install server, `worker` for the syncs).
# Build: docker build -t kamflow .   Run all three with compose.yaml (README, "Several workers").

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source where no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY . .
# `prepare` compiles src/ into dist/ (typescript is a runtime dependency for that reason).
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    KAMFLOW_HOST=0.0.0.0 \
    KAMFLOW_PORT=3000
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
# Nothing here needs root.
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/kamflow.js"]
CMD ["serve"]
