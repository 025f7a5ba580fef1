"""Data Kiosk: GraphQL queries whose JSON Lines documents stand in for reports (tenant flag)."""
