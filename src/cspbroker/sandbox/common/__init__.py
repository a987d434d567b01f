"""Building blocks shared by the sandbox servers.

- `config.SandboxConfig`: state directory, client credentials, partner tenant id, seed.
- `store.Store`: a persistent JSON document store on sqlite3.
- `clock.SandboxClock`: real time plus a persisted, forward-only offset.
- `auth.TokenIssuer` / `auth.token_routes`: Azure-AD-shaped client_credentials tokens.
- `faults.FaultInjector` / `faults.FaultMiddleware`: 429/5xx/latency/drop/timeout injection.
- `admin.sandbox_admin_routes`: `/_sandbox/clock`, `/_sandbox/faults`, `/_sandbox/reset`.
- `headers.RequestHeadersMiddleware`, `errors.ApiError`, `idempotency.Idempotency`.
- `app.SandboxApp`: a Starlette subclass that lets the fault middleware drop connections.
"""
