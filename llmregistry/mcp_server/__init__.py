"""The registry as an MCP server for AI assistants (docs/mcp.md)."""
