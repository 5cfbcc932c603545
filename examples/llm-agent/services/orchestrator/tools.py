"""Agent orchestrator (orchestrator): the tools the model may call, each with the customer's own scope."""

ALLOWED_TOOLS = {"lookup_order", "create_ticket"}


def call_tool(name: str, customer_id: str, arguments: dict) -> dict:
    if name not in ALLOWED_TOOLS:
        raise PermissionError(f"tool {name!r} is not allowed")
    # The customer id comes from the session, never from the model's arguments.
    return {"tool": name, "customer": customer_id, "arguments": arguments}
