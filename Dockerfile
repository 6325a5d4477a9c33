# The product only: no local/ (Slack emulator, simulated fleet, demo TLS key), no tests, no dev
# dependencies. `rollgate demo` says it is not in the image; run the demo from a checkout.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY bot ./bot
COPY jobs ./jobs
COPY rollout ./rollout
COPY cli ./cli
# The local packages (npm workspaces under local/) are not in the build context: drop them from
# this copy of package.json and of the lock, then install. `prepare` compiles the product alone.
RUN npm pkg delete workspaces \
 && node -e "const f='package-lock.json',l=require('./'+f);for(const k of Object.keys(l.packages))if(k.startsWith('local/')||k.startsWith('node_modules/@rollgate/'))delete l.packages[k];delete l.packages[''].workspaces;require('fs').writeFileSync(f,JSON.stringify(l,null,2))" \
 && npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production
# The live heap is ~60 MiB beside 300 rollouts; without a cap V8 lets garbage pile up between
# collections (RSS 315-400 MiB beside 1,000). 256 MiB keeps RSS near 210 MiB there at the same
# CPU and tick lateness (bench/PROPOSALS.md, "RSS"). Override NODE_OPTIONS to change it.
ENV NODE_OPTIONS=--max-old-space-size=256
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# Numeric, so Kubernetes' runAsNonRoot can verify it (the image's `node` user). A bind-mounted
# kubeconfig must be readable by this uid, or run the container as yours (docker-compose.yml).
USER 1000:1000
EXPOSE 3000
HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/rollgate.js"]
CMD ["serve"]
