"""First-load bytes of the login page and a rep's Today (issue 14, item 6), as a phone with an empty cache
fetches them from a running server: the HTML and every stylesheet and script it links, asked with
``Accept-Encoding: gzip, br``, counted as transferred (headers + body as sent, compressed or not). Then a
repeat visit: what the browser may reuse without asking (``max-age`` > 0) costs nothing, the rest is fetched
again (with ``max-age=0`` a revalidation: a 304 when unchanged, counted as its headers).

    make run   # or: manage.py collectstatic --noinput && manage.py runserver
    .venv/bin/python bench/light_pages.py http://127.0.0.1:8000 rep1 demo1234 [more paths, e.g. /visits/12/]
"""

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

ASSET = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+\.(?:js|css))"')


class Client:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def fetch(self, path: str, data: dict | None = None, headers: dict | None = None):
        url = urllib.parse.urljoin(self.base + "/", path.lstrip("/"))
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Accept-Encoding": "gzip, br", **(headers or {})})
        if body is not None:
            request.add_header("Referer", url)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # a 304 on revalidation
            response = error
        raw = response.read()
        head = sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + len("HTTP/1.1 200 OK\r\n\r\n")
        return response, raw, head


def _text(response, raw: bytes) -> str:
    if response.headers.get("Content-Encoding") == "gzip":
        import gzip

        raw = gzip.decompress(raw)
    return raw.decode()


def page_load(client: Client, path: str, label: str) -> None:
    response, raw, head = client.fetch(path)
    html = _text(response, raw)
    rows = [(path, head + len(raw), response.headers.get("Content-Encoding", "-"), "-")]
    repeat = head + len(raw)  # the page itself is always fetched again
    for asset in ASSET.findall(html):
        answer, body, asset_head = client.fetch(asset)
        cache = answer.headers.get("Cache-Control", "")
        rows.append((asset, asset_head + len(body), answer.headers.get("Content-Encoding", "-"), cache or "-"))
        max_age = re.search(r"max-age=(\d+)", cache)
        if not max_age or int(max_age.group(1)) == 0:
            again, again_body, again_head = client.fetch(
                asset, headers={"If-Modified-Since": answer.headers.get("Last-Modified", "")}
            )
            repeat += again_head + len(again_body)
    first = sum(size for _p, size, _e, _c in rows)
    print(f"== {label}: first load {first / 1024:.1f} KB transferred, repeat {repeat / 1024:.1f} KB")
    for asset, size, encoding, cache in rows:
        print(f"   {size / 1024:7.1f} KB  {encoding:5}  {asset}  [{cache}]")


def main(base: str, username: str, password: str, *more: str) -> None:
    client = Client(base)
    page_load(client, "/login/", "login page")
    _response, raw, _head = client.fetch("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _text(_response, raw)).group(1)
    client.fetch("/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password})
    page_load(client, "/visits/today/", f"Today ({username})")
    for path in more:
        page_load(client, path, f"{path} ({username})")


if __name__ == "__main__":
    main(*(sys.argv[1:] if len(sys.argv) >= 4 else ("http://127.0.0.1:8000", "rep1", "demo1234")))
