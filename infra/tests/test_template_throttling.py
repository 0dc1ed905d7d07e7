"""Route limits sized for the documented target (infra/README.md, "Load target and throttling"):
10,000 requests a second at peak for the whole API, API Gateway's default account quota in most
Regions (10,000 rps, burst 5,000), shared by every route."""

from cfn_template import ref

ACCOUNT_RATE, ACCOUNT_BURST = 10_000, 5_000
LINK_ROUTES = ("GET /links/{token}", "POST /links/{token}/redeem", "GET /l/{token}")
PAGE_ROUTES = ("GET /", "GET /assets/{name}", "POST /auth/session", "POST /auth/refresh", "POST /auth/logout")


def test_signed_in_limits_are_parameters_sized_for_the_target(template):
    default = template["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"]
    assert default == {"ThrottlingRateLimit": {"Ref": "ApiRateLimit"}, "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"}}, \
        f"DefaultRouteSettings are {default}: every signed-in request shares one route, held to 1 % of the target"
    rate, burst = template["Parameters"]["ApiRateLimit"], template["Parameters"]["ApiBurstLimit"]
    # The signed-in route takes the target less what the public routes carry at peak.
    assert rate["Default"] == 9_000 and rate["MaxValue"] <= ACCOUNT_RATE
    assert burst["Default"] == 4_500 and burst["MaxValue"] <= ACCOUNT_BURST


def test_public_routes_leave_the_signed_in_users_most_of_the_quota(template):
    """Every public route flooded at once still leaves signed-in users 70 % of the account quota."""
    parameters = template["Parameters"]
    settings = template["Resources"]["HttpApi"]["Properties"]["RouteSettings"]
    assert parameters["PublicLinkRateLimit"]["Default"] == 400 and parameters["PublicPageRateLimit"]["Default"] == 300

    def ceiling(route):
        limit = settings[route]["ThrottlingRateLimit"]
        return parameters[ref(limit)]["Default"] if ref(limit) else limit

    public = sum(ceiling(route) for route in settings)
    assert set(LINK_ROUTES) | set(PAGE_ROUTES) | {"GET /health"} == set(settings)
    assert public <= 0.3 * ACCOUNT_RATE, f"the public routes may take {public} of {ACCOUNT_RATE} rps"
