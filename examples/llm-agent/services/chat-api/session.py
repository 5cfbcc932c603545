"""Chat API (chat-api): customer messages in, agent replies out, one conversation per signed-in customer."""

MAX_MESSAGE_CHARS = 4000


def accept_message(customer_id: str, text: str) -> dict:
    if not text.strip():
        raise ValueError("empty message")
    # Long inputs are cut before they reach the model: a bound on cost and on prompt-injection payloads.
    return {"customer": customer_id, "text": text[:MAX_MESSAGE_CHARS]}
