from tests.conftest import create_user, login_as
def test_smoke(app, client, accounts):
    login_as(client, accounts["admin"])
    for url in ["/console/", "/console/surveys", "/console/surveys/nanyang-dcm", "/console/surveys/nanyang-dcm/versions",
                "/console/surveys/nanyang-dcm/distribution?ch=abc", "/console/surveys/nanyang-dcm/poster",
                "/console/surveys/nanyang-dcm/invitations", "/console/surveys/nanyang-dcm/quotas", "/console/users",
                "/console/surveys/nanyang-dcm/qr.svg?ch=wechat", "/console/surveys/nanyang-dcm/qr.png", "/auth/login",
                "/console/surveys?lang=en", "/console/surveys/nanyang-dcm?lang=en"]:
        with client.get(url) as r:
            print(url, r.status_code, len(r.data))
            assert r.status_code in (200, 302), r.data[:3000]
