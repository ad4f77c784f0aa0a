"""The ceiling for page benchmarks: bare Flask returning a constant page of similar size."""
from flask import Flask

PAGE = "<!doctype html><html lang='zh-CN'><body>" + "<p>掌上四合院 楼里的事</p>" * 200 + "</body></html>"
app = Flask(__name__)


@app.get("/")
def constant():
    """The same bytes every time: what gunicorn and Flask cost with no work."""
    return PAGE
