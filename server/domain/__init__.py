"""Haven's business rules: plain async functions over the models, raising DomainError.

No GraphQL here: the CLI, the tests and the benchmarks call these directly.
"""
