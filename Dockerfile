FROM python:3.11-slim
WORKDIR /srv/portal
COPY pyproject.toml alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir .
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
# DATABASE_URL=postgresql://user:pass@host/db ; migrations run before serving.
CMD ["sh", "-c", "portal migrate && portal serve"]
