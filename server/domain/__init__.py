"""Haven's business rules: plain async functions over the models, raising DomainError. No GraphQL."""
