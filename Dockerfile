FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN PRODUCTION=true SECRET_KEY=build-only-collectstatic-key python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "ka_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
