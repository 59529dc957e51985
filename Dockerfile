# One image for every process: gunicorn (default CMD), the Celery worker and Celery beat
# (see docker-compose.yml for their commands).
FROM python:3.11-slim-bookworm

# WeasyPrint's run-time libraries: Pango with its FreeType backend, and HarfBuzz's subsetter
# (used to embed only the glyphs a PDF needs).
# fonts-noto-cjk: Chinese, Japanese and Korean text in PDFs. It is large; fonts-wqy-zenhei is a
# smaller fallback that covers Chinese only.
# fonts-dejavu-core: Latin, Greek and Cyrillic.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-noto-cjk \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Dependencies first, so that a code change does not reinstall them. Installing the project
# installs only its dependencies (pyproject.toml has `py-modules = []`); dev extras stay out.
COPY pyproject.toml /tmp/build/pyproject.toml
RUN pip install /tmp/build && rm -rf /tmp/build

# A home directory of its own lets tools that keep state in $HOME (gunicorn's control socket)
# work without warnings.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# The folders the application runs from, listed one by one so that a local .venv/, var/
# (SQLite database, mails) and .git/ never end up in the image. Add new top-level folders here.
COPY manage.py ./
COPY clientprogress ./clientprogress
COPY projects ./projects
COPY milestones ./milestones
COPY notifications ./notifications
COPY reports ./reports
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Static files are collected into the image (var/staticfiles) and served by WhiteNoise, and the
# translation catalogues are compiled (the .mo files are not in the repository).
# The SECRET_KEY here exists only for these commands and is not part of the image's environment.
# Without REDIS_URL the settings create var/broker/ for the filesystem broker; this build step
# does not need it, so it is removed rather than left behind owned by root.
# var/ belongs to the app user: beat keeps its schedule there, and var/media (uploads, PDFs)
# is where the `media` volume is mounted; a new named volume takes over this ownership.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-used-at-run-time \
        python manage.py collectstatic --noinput \
    && DEBUG=false SECRET_KEY=collectstatic-only-not-used-at-run-time \
        python manage.py compile_catalogues \
    && rm -rf var/broker \
    && mkdir -p var/media \
    && chown app:app var var/media

USER app

EXPOSE 8000

# No curl in the image: Python's urllib asks /healthz, which answers 503 (an error for urlopen)
# when the database or the broker is down. SECURE_SSL_REDIRECT does not apply to /healthz.
# The request names the first ALLOWED_HOSTS entry as its Host ("*" and a leading dot made
# concrete), so ALLOWED_HOSTS need not list 127.0.0.1 for the check to pass.
# The worker and beat services in docker-compose.yml replace this check with their own.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].lstrip('.').replace('*', 'localhost'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=8)"]

CMD ["sh", "-c", "exec gunicorn clientprogress.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} --access-logfile -"]
