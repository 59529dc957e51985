from clientprogress.celery import app as celery_app


def test_healthz_reports_database_and_broker(anonymous, db: None) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_503_when_the_broker_is_unreachable(anonymous, db, monkeypatch) -> None:
    # A real connection attempt to a port nothing listens on.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = anonymous.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"
