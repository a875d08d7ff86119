"""Commands per service, on its `<service>.commands` topic; one module per service."""
