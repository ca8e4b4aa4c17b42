"""Constants shared by the runtime tests."""

API_KEY = "test-api-key-3f9a1c77e2b54d8a"
APPLICATION_ID = 42
APPLICATION_KEY = "c0ffee00deadbeef1234567890abcdef"

SESSION_PATH = "/v2/customer_sessions/{customerSessionId}"
BOTH_SCHEMES = ["api_key_v1", "integration_auth"]
API_KEY_ONLY = ["api_key_v1"]
