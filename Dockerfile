FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs production settings, hence a key; a throwaway random one, never baked into the image.
RUN PRODUCTION=true SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput
# Run as an unprivileged user; uploads go to the media volume, which it owns.
RUN useradd --system --no-create-home --home-dir /app ka && mkdir -p /app/media && chown ka:ka /app/media
USER ka
EXPOSE 8000
CMD ["gunicorn", "ka_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
