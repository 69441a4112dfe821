"""A small OpenID Connect provider on a local HTTP server, for the single sign-on tests.

It is the outside world (the company's identity provider), so it is a fake, but a working
one: the authorization-code flow with PKCE (S256), RS256-signed ID tokens published in a
JWKS, a userinfo endpoint behind the access token. Codes and access tokens are single-use.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from werkzeug import Request, Response

CLIENT_ID = "llm-registry"
CLIENT_SECRET = "a-client-secret-for-the-tests"


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class OIDCProvider:
    """Serves ``/authorize``, ``/token``, ``/userinfo`` and ``/jwks`` on ``httpserver``.

    ``claims`` is what the provider says about the user who signs in next. Set
    ``forge_signature`` to sign ID tokens with a key the JWKS does not publish, and
    ``wrong_nonce`` to answer with a nonce the client did not send.
    """

    kid = "registry-test-key"

    def __init__(self, httpserver):
        self.server = httpserver
        self.key = _new_key()
        self.claims: dict = {}
        self.forge_signature = False
        self.wrong_nonce = False
        self.token_requests: list[dict] = []
        self._codes: dict[str, dict] = {}
        self._access_tokens: dict[str, dict] = {}
        httpserver.expect_request("/authorize", method="GET").respond_with_handler(self._authorize)
        httpserver.expect_request("/token", method="POST").respond_with_handler(self._token)
        httpserver.expect_request("/userinfo").respond_with_handler(self._userinfo)
        httpserver.expect_request("/jwks").respond_with_handler(self._jwks)

    @property
    def issuer(self) -> str:
        return self.server.url_for("").rstrip("/")

    def settings(self) -> dict:
        """The registry's settings for this provider (what the OIDC_* variables set)."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.server.url_for("/authorize"),
            "OIDC_OP_TOKEN_ENDPOINT": self.server.url_for("/token"),
            "OIDC_OP_USER_ENDPOINT": self.server.url_for("/userinfo"),
            "OIDC_OP_JWKS_ENDPOINT": self.server.url_for("/jwks"),
            "OIDC_ADMIN_GROUPS": ["registry-admins"],
            "OIDC_EDITOR_GROUPS": ["registry-editors", "ml-platform"],
            "OIDC_VIEWER_GROUPS": ["registry-viewers"],
            "OIDC_PROVIDER_NAME": "Example SSO",
        }

    # --- endpoints ------------------------------------------------------------------------

    def _authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            return Response("unknown client or response type", status=400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return Response("PKCE (S256) is required", status=400)
        code = secrets.token_urlsafe(24)
        self._codes[code] = {
            "nonce": args.get("nonce"),
            "challenge": args["code_challenge"],
            "redirect_uri": args["redirect_uri"],
        }
        query = urlencode({"code": code, "state": args["state"]})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def _token(self, request: Request) -> Response:
        form = request.form
        self.token_requests.append(dict(form))
        grant = self._codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return _json({"error": "invalid_grant"}, status=400)
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != grant["challenge"]:
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, status=400)
        now = int(time.time())
        id_claims = {
            "iss": self.issuer,
            "sub": self.claims.get("sub", "user-1"),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": "not-the-clients-nonce" if self.wrong_nonce else grant["nonce"],
            "email": self.claims.get("email"),
        }
        key = _new_key() if self.forge_signature else self.key
        id_token = jwt.encode(id_claims, key, algorithm="RS256", headers={"kid": self.kid})
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = dict(self.claims)
        return _json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )

    def _userinfo(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        claims = self._access_tokens.pop(header.removeprefix("Bearer "), None)
        if claims is None:
            return _json({"error": "invalid_token"}, status=401)
        return _json(claims)

    def _jwks(self, request: Request) -> Response:
        public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return _json({"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]})


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
