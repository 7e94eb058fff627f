FROM python:3.11-slim
WORKDIR /srv/portal
# Chinese, Japanese and Korean names in invoice PDFs: those fonts are too large for the wheel, so
# the PDF finds the system's through fontconfig (app/portal/pdf_fonts.py).
RUN apt-get update && apt-get install -y --no-install-recommends fontconfig fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY app ./app
RUN pip install --no-cache-dir . && rm -rf app pyproject.toml
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
# DATABASE_URL=postgresql://user:pass@host/db ; migrations run before serving.
CMD ["sh", "-c", "portal migrate && portal serve"]
