"""Webhooks: other systems subscribe a URL to what happens in Flowdesk; the worker
POSTs each event to them, signed, from the outbox."""
