"""The `homecare` command's sub-commands, one module per area of the engine.

Each module imports only Typer and the standard library at the top and imports `carecore`
(and Django, for platform commands) inside the command, so `homecare --help` stays fast.
Each exposes ``register(app)``.
"""
