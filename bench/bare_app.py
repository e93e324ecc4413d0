"""A bare Flask app with one endpoint: the baseline the intake app is compared against."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "ok"
