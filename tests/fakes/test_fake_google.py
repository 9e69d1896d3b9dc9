#!/usr/bin/env python3
"""The fake Google endpoints checked on their own, with Python's urllib and
`cryptography` (no code of ours on the client side): the token endpoint
accepts a JWT signed with the service account's key and refuses one with a
wrong signature, kid, audience, scope or time; the refresh grant wants the
user's three values; STS wants the subject token; generateAccessToken wants
a bearer the fake issued; the metadata server wants the flavor header and
sends it back (unless told not to); scripted failures happen as many times
as asked. Secrets never reach the log.
Usage: test_fake_google.py"""
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from checks import check, summary  # noqa: E402
from fakectl import Fake  # noqa: E402

SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(key, header, claims):
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + "." + b64url(sig)


def call(url, data=None, headers=None, method=None):
    raw = None
    h = dict(headers or {})
    if isinstance(data, dict):
        raw = urllib.parse.urlencode(data).encode()
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif data is not None:
        raw = data
    req = urllib.request.Request(url, data=raw, headers=h,
                                 method=method or ("POST" if raw is not None else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, hdrs, text = r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        status, hdrs, text = e.code, e.headers, e.read().decode()
    try:
        return status, hdrs, json.loads(text)
    except ValueError:
        return status, hdrs, text


def checks_token(fake, sa):
    key = serialization.load_pem_private_key(sa["private_key"].encode(), None)
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": sa["private_key_id"]}
    claims = {"iss": sa["client_email"], "aud": sa["token_uri"], "scope": SCOPE,
              "iat": now, "exp": now + 3600}

    def grant(assertion):
        return call(sa["token_uri"], {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                      "assertion": assertion})

    s, _, b = grant(jwt(key, header, claims))
    check("a well-signed JWT gets a token", s == 200 and b["access_token"].startswith("ya29.sa-")
          and b["expires_in"] > 3000 and b["token_type"] == "Bearer", b)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    s, _, b = grant(jwt(other, header, claims))
    check("another key's signature is refused", s == 400 and b["error"] == "invalid_grant" and
          "Signature" in b["error_description"], b)
    for name, h, c in (("kid", dict(header, kid="nope"), claims),
                       ("alg", dict(header, alg="RS512"), claims),
                       ("aud", header, dict(claims, aud="https://oauth2.googleapis.com/token")),
                       ("scope", header, dict(claims, scope="email")),
                       ("iss", header, dict(claims, iss="x@y")),
                       ("iat", header, dict(claims, iat=now - 7200, exp=now - 3600)),
                       ("exp", header, dict(claims, exp=now + 7200))):
        s, _, b = grant(jwt(key, h, c))
        check("a wrong %s is refused" % name, s == 400 and b.get("error") == "invalid_grant", b)
    s, _, b = grant("a.b")
    check("a non-JWT is refused", s == 400, b)

    user = json.load(open(os.path.join(fake.dir, "user.json")))
    form = {"grant_type": "refresh_token", "client_id": user["client_id"],
            "client_secret": user["client_secret"], "refresh_token": user["refresh_token"]}
    s, _, b = call(user["token_uri"], form)
    check("the refresh grant works", s == 200 and b["access_token"].startswith("ya29.user-"), b)
    s, _, b = call(user["token_uri"], dict(form, refresh_token="revoked"))
    check("a wrong refresh token is invalid_grant", s == 400 and b["error"] == "invalid_grant", b)
    s, _, b = call(user["token_uri"], dict(form, client_secret="x"))
    check("a wrong client secret is invalid_client", s == 400 and b["error"] == "invalid_client", b)

    fake.set_state({"token": {"fail_times": 2}})
    got = [call(user["token_uri"], form)[0] for _ in range(3)]
    check("fail_times fails that many times", got == [503, 503, 200], got)
    fake.set_state({"token": {"status": 400, "error": "invalid_grant",
                              "error_description": "Token has been expired or revoked."}})
    s, _, b = call(user["token_uri"], form)
    check("a scripted refusal", s == 400 and b["error_description"].startswith("Token has"), b)
    fake.set_state({})
    return b


def checks_sts_iam(fake):
    ext = json.load(open(os.path.join(fake.dir, "external_file.json")))
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "audience": ext["audience"], "scope": SCOPE,
            "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "subject_token": "subject-token-abc", "subject_token_type": ext["subject_token_type"]}
    s, _, b = call(ext["token_url"], form)
    check("STS exchanges the subject token", s == 200 and b["access_token"].startswith("ya29.sts-")
          and b["issued_token_type"].endswith("access_token"), b)
    sts_token = b.get("access_token", "")
    s, _, b = call(ext["token_url"], dict(form, subject_token="forged"))
    check("STS refuses another subject token", s == 400 and b["error"] == "invalid_grant", b)
    s, _, b = call(ext["token_url"], dict(form, audience="//iam.googleapis.com/other"))
    check("STS refuses another audience", s == 400, b)

    imp = json.load(open(os.path.join(fake.dir, "impersonated.json")))
    url = imp["service_account_impersonation_url"]
    body = json.dumps({"scope": [SCOPE], "lifetime": "3600s"}).encode()
    s, _, b = call(url, body, {"Authorization": "Bearer " + sts_token,
                               "Content-Type": "application/json"})
    check("generateAccessToken with an issued bearer", s == 200 and
          b["accessToken"].startswith("ya29.imp-") and b["expireTime"].endswith("Z"), b)
    s, _, b = call(url, body, {"Authorization": "Bearer ya29.made-up",
                               "Content-Type": "application/json"})
    check("generateAccessToken refuses a bearer it never issued",
          s == 401 and b["error"]["status"] == "UNAUTHENTICATED", b)


def checks_metadata(fake):
    md = fake.url + "/computeMetadata/v1/"
    s, h, b = call(md + "instance/service-accounts/default/token?scopes=" + SCOPE,
                   headers={"Metadata-Flavor": "Google"})
    check("metadata token", s == 200 and b["access_token"].startswith("ya29.md-") and
          h.get("Metadata-Flavor") == "Google", b)
    s, _, b = call(md + "project/project-id")
    check("metadata wants the flavor header", s == 403, b)
    s, _, b = call(md + "project/project-id", headers={"Metadata-Flavor": "Google"})
    check("metadata project", s == 200 and b == "proj-md", b)
    fake.set_state({"metadata": {"flavor": False}})
    s, h, _ = call(md + "project/project-id", headers={"Metadata-Flavor": "Google"})
    check("flavor false drops the header", s == 200 and h.get("Metadata-Flavor") is None, h)
    fake.set_state({})


def main():
    with Fake("fake_google.py") as fake:
        sa = json.load(open(os.path.join(fake.dir, "sa.json")))
        check("the fake wrote a service account file pointing at itself",
              sa["token_uri"] == fake.url + "/token" and "PRIVATE KEY" in sa["private_key"], sa)
        for name in ("user.json", "impersonated.json", "external_file.json", "external_url.json",
                     "external_aws.json", "ec_key.pem", "rsa_encrypted.pem"):
            check("the fake wrote " + name, os.path.exists(os.path.join(fake.dir, name)))
        checks_token(fake, sa)
        checks_sts_iam(fake)
        checks_metadata(fake)
        log = fake.log_text()
        user = json.load(open(os.path.join(fake.dir, "user.json")))
        check("secrets never reach the log", user["client_secret"] not in log and
              user["refresh_token"] not in log and "subject-token-abc" not in log and
              "ya29." not in log, log[:2000])
    return summary()


if __name__ == "__main__":
    sys.exit(main())
