"""Pure analysis over an inventory: graph, fixed points, scenarios, explanations, resilience, validation warnings."""
