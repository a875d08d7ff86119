"""Runtime plumbing shared by Hostplane services: Kafka, the event store, the outbox relay."""
