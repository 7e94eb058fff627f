FROM python:3.11-slim
WORKDIR /srv/portal
COPY pyproject.toml ./
COPY app ./app
RUN pip install --no-cache-dir . && rm -rf app pyproject.toml
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
# DATABASE_URL=postgresql://user:pass@host/db ; migrations run before serving.
CMD ["sh", "-c", "portal migrate && portal serve"]
