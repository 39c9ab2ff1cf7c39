"""Conformance suite: the same requests against the sandbox and a real OpenStack Swift."""
