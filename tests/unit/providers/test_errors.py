"""Error bodies and statuses become typed provider errors."""

from __future__ import annotations

import pytest

from cspbroker.providers.errors import (
    NotFound,
    PreconditionFailed,
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    error_for_status,
    parse_error_body,
)

from .support import fixture


def test_partner_center_error_body_gives_code_description_data_and_source() -> None:
    parsed = parse_error_body(fixture("error_license_quota.json"))

    assert parsed.code == "60012"
    assert parsed.description == "We're sorry, it looks like you've run out of licenses..."
    assert parsed.data == ("LicenseQuotaExceededException : ...",)
    assert parsed.source == "PartnerFD"


def test_throttling_body_gives_status_code_and_message() -> None:
    parsed = parse_error_body(fixture("throttled_429.json"))

    assert parsed.code == "429"
    assert parsed.description == "Rate limit is exceeded. Try again in 57 seconds."


def test_azure_ad_token_error_gives_error_and_its_codes() -> None:
    parsed = parse_error_body(fixture("aad_invalid_client.json"))

    assert parsed.code == "invalid_client"
    assert parsed.description.startswith("AADSTS7000215")
    assert parsed.data == (7000215,)


def test_a_plain_text_body_becomes_the_description() -> None:
    assert parse_error_body("<html>Bad gateway</html>").description == "<html>Bad gateway</html>"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"code": 800002, "description": "Invalid request input"}, ProviderRejected),
        (401, {"code": 800001, "description": "Partner Token missing in request context"}, ProviderAuthError),
        (403, {"code": 20002, "description": "no commerce relationship"}, ProviderRejected),
        (404, {"code": 20003, "description": "Subscription with ID x not found"}, NotFound),
        (409, {"code": 800064, "description": "Cart is being processed"}, ProviderRejected),
        (412, {"code": 2055, "description": "Etag is no longer valid"}, PreconditionFailed),
        (400, {"code": 2055, "description": "Etag is no longer valid"}, PreconditionFailed),
        (501, None, ProviderRejected),
        (408, None, ProviderUnavailable),
        (429, {"statusCode": 429, "message": "Rate limit is exceeded."}, ProviderUnavailable),
        (500, None, ProviderUnavailable),
        (503, None, ProviderUnavailable),
    ],
)
def test_status_maps_to_error_class(status: int, body: object, expected: type[ProviderError]) -> None:
    error = error_for_status(status, body, request_id="r", correlation_id="c")

    assert type(error) is expected
    assert error.status == status
    assert error.request_id == "r"


def test_rejection_message_names_status_code_and_description() -> None:
    error = error_for_status(
        400, {"code": 900117, "description": "You have passed your 7-day cancellation window."}
    )

    assert isinstance(error, ProviderRejected)
    assert error.code == "900117"
    assert str(error) == "HTTP 400: 900117: You have passed your 7-day cancellation window."
