"""The inventory format: reading (located errors), the typed model, the JSON Schema, atomic file writes, generated inventories."""
