# syntax=docker/dockerfile:1
# Quorum's image: one binary, three roles. `docker run quorum bot|worker|executor --config /etc/quorum/quorum.yaml`.
# The sandbox (simulator, Slack double, demo, bench) is not in it: tsconfig.build.json leaves src/sandbox out.

# --- build: every dependency (TypeScript, tsx for the playbook catalog), then the lean build into dist/ ---
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/build.mjs
COPY src src
COPY playbooks playbooks
RUN node scripts/build.mjs

# --- deps: production dependencies only, so the runtime carries no compiler, test runner or linter ---
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
# package.json gives `quorum --version`; playbooks/ is the default playbook directory beside dist/.
COPY --from=deps /app/node_modules node_modules
COPY --from=build /src/dist dist
COPY package.json package.json
COPY playbooks playbooks
COPY bin/quorum.js bin/entry-point.js bin/
RUN ln -s /app/bin/quorum.js /usr/local/bin/quorum
# The node image's unprivileged user (uid 1000); Kubernetes' runAsNonRoot needs the numeric id.
USER 1000:1000
# The bot's HTTP port (Slack events, Alertmanager webhook, /healthz, /readyz, /metrics); workers and the executor
# serve nothing. Workers should run with NODE_OPTIONS=--max-old-space-size=256 (bench/results/latest.md: 186 MiB
# peak for scheduler-pending at 100k pods); it is set per role in docker-compose.yml and deploy/, not here.
EXPOSE 3000
ENTRYPOINT ["quorum"]
CMD ["bot"]
