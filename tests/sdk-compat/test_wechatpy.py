"""An unmodified third-party SDK (wechatpy, see requirements.txt) against kefu-emulator.

Each test starts the already-built emulator binary on a free port (`--no-simulation`, so only
the test makes customers speak), points wechatpy's WeCom `WeChatClient` at it and calls the
SDK's own methods. The emulator's control API (`/emulator/...`, not part of WeChat's API) is
called with urllib.

How the client is pointed at the emulator, without changing the SDK:
- `client.API_BASE_URL` (the SDK's base-URL attribute) is set to `<emulator>/cgi-bin/`; every
  `client.kf.*`, `client.kf_message.*`, `client.media.upload` and `client.get/post` call uses it.
- Two SDK methods ignore `API_BASE_URL` and hard-code `https://qyapi.weixin.qq.com/cgi-bin/`:
  `WeChatClient.fetch_access_token` (gettoken) and `WeChatMedia.get_url` (media/get). For those
  a requests transport adapter is mounted on the client's own HTTP session that sends requests
  for that host to the emulator instead (like a hosts-file entry), so the SDK's code runs as is.
  `WeChatMedia.download` uses the bare module-level `requests.get`, which no client setting
  reaches; the download test therefore uses the SDK's generic `client.get("media/get")` and
  fetches the URL built by `media.get_url` through the client's session.

Known gaps of the SDK (not of the emulator), see docs reference §14.1 and §14.16:
- wechatpy 2.0.0a26's `kf.sync_msg(token, cursor, limit)` cannot send `open_kfid`, which the
  API requires since the 2024-01-31 doc revision (fixed on wechatpy's main branch, unreleased).
  The test checks that the SDK method gets the API's error, then pulls messages with the SDK's
  generic `client.post("kf/sync_msg", ...)` adding `open_kfid`.
- `send_articles_link`, `send_location` and `send_miniprogram` build wrong bodies; not tested.

Run: scripts/sdk-compat.sh (or python tests/sdk-compat/test_wechatpy.py with wechatpy installed).
The binary is $KEFU_EMULATOR_BIN, else $CARGO_TARGET_DIR/debug/kefu-emulator when
CARGO_TARGET_DIR is set, else target/debug/kefu-emulator under the repository root.
"""

import json
import os
import re
import selectors
import signal
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import requests
import wechatpy
from requests.adapters import HTTPAdapter
from wechatpy.exceptions import WeChatClientException
from wechatpy.work import WeChatClient

REPO_ROOT = Path(__file__).resolve().parents[2]
CORP_ID = "wwkefudemo0000000001"
SECRET = "kefu-desk-demo-secret"
AFTER_SALES = "wkDemoAfterSales0000000000000001"
PRE_SALES = "wkDemoPreSales000000000000000002"
PRODUCTION_HOST = "https://qyapi.weixin.qq.com/"
STARTUP_TIMEOUT = 20.0


def emulator_binary():
    explicit = os.environ.get("KEFU_EMULATOR_BIN")
    if explicit:
        return Path(explicit)
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        base = Path(target)
        if not base.is_absolute():
            base = REPO_ROOT / base
        return base / "debug" / "kefu-emulator"
    return REPO_ROOT / "target" / "debug" / "kefu-emulator"


def tiny_png():
    """A valid 2x2 RGB PNG."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class RedirectProductionHost(HTTPAdapter):
    """Sends requests for https://qyapi.weixin.qq.com/... to the emulator, same path and query."""

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.redirected_paths = []

    def send(self, request, **kwargs):
        parts = urllib.parse.urlsplit(request.url)
        self.redirected_paths.append(parts.path)
        request.url = self.base_url + parts.path + ("?" + parts.query if parts.query else "")
        return super().send(request, **kwargs)


class Emulator:
    """The kefu-emulator process and its control API."""

    def __init__(self):
        binary = emulator_binary()
        if not binary.is_file():
            raise RuntimeError(
                f"kefu-emulator binary not found at {binary}; build it "
                "(cargo build -p kefu-emulator) or set KEFU_EMULATOR_BIN"
            )
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0", "--scenario", "default", "--no-simulation"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
        )
        self.stdout_lines = []
        self.base_url = self._read_url()
        # Keep draining stdout (it also carries the log) so the process never blocks on it.
        threading.Thread(target=self._drain, daemon=True).start()
        # Loopback only: never route control calls through an environment proxy.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _read_url(self):
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        try:
            while time.monotonic() < deadline:
                if not selector.select(timeout=deadline - time.monotonic()):
                    break
                line = self.proc.stdout.readline()
                if not line:
                    break
                text = line.decode("utf-8", "replace")
                self.stdout_lines.append(text)
                match = re.search(r"listening on (http://\S+)", text)
                if match:
                    return match.group(1).rstrip("/")
        finally:
            selector.close()
        self.stop()
        self.stderr.seek(0)
        raise RuntimeError(
            "kefu-emulator did not print its URL; stdout: "
            + "".join(self.stdout_lines)
            + " stderr: "
            + self.stderr.read().decode("utf-8", "replace")
        )

    def _drain(self):
        for _ in iter(self.proc.stdout.readline, b""):
            pass

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # the emulator stops cleanly on Ctrl-C
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc.stdout.close()
        self.stderr.close()

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            raise AssertionError(f"control {path} failed: {e.code} {e.read()!r}") from None

    def customer_says(self, text, open_kfid=AFTER_SALES, external_userid=None):
        body = {"open_kfid": open_kfid, "text": text}
        if external_userid:
            body["external_userid"] = external_userid
        return self.control("/emulator/customers/say", body)

    def sent(self):
        return self.control("/emulator/sent")


class WechatpyAgainstEmulator(unittest.TestCase):
    def setUp(self):
        self.emulator = Emulator()
        self.addCleanup(self.emulator.stop)
        self.client = self.make_client(SECRET)

    def tearDown(self):
        self.client._http.close()
        self.emulator.stop()

    def make_client(self, secret):
        client = WeChatClient(CORP_ID, secret, timeout=10)
        client.API_BASE_URL = self.emulator.base_url + "/cgi-bin/"
        client._http.trust_env = False  # loopback only, whatever proxy the environment sets
        client._http.mount(PRODUCTION_HOST, RedirectProductionHost(self.emulator.base_url))
        return client

    def redirected_paths(self, client=None):
        return (client or self.client)._http.get_adapter(PRODUCTION_HOST).redirected_paths

    def sync_msg(self, open_kfid, cursor="", token="", limit=1000):
        """wechatpy 2.0.0a26's `kf.sync_msg` body plus the required `open_kfid`, via the SDK."""
        data = {"token": token, "cursor": cursor, "limit": limit, "open_kfid": open_kfid}
        return self.client.post("kf/sync_msg", data=data)

    def new_customer(self, text="你好，我的订单还没发货", open_kfid=AFTER_SALES):
        said = self.emulator.customer_says(text, open_kfid)
        return said["external_userid"], said["msgid"]

    # --- token -----------------------------------------------------------------------------

    def test_token_fetch(self):
        result = self.client.fetch_access_token()
        self.assertEqual(result["errcode"], 0)
        self.assertTrue(result["access_token"])
        self.assertEqual(result["expires_in"], 7200)
        self.assertEqual(self.client.access_token, result["access_token"])
        self.assertEqual(self.redirected_paths(), ["/cgi-bin/gettoken"])

    def test_token_fetched_on_first_call_and_refreshed_after_invalidation(self):
        self.client.kf.get_account_list()
        first = self.client.access_token
        self.emulator.control("/emulator/tokens/invalidate", {})
        # The old token now answers 40014; the SDK re-fetches the token and retries once.
        accounts = self.client.kf.get_account_list()
        self.assertEqual(accounts["errcode"], 0)
        self.assertNotEqual(self.client.access_token, first)
        self.assertEqual(self.redirected_paths(), ["/cgi-bin/gettoken", "/cgi-bin/gettoken"])

    def test_wrong_secret_is_a_client_exception(self):
        client = self.make_client("not-the-secret")
        try:
            with self.assertRaises(WeChatClientException) as raised:
                client.fetch_access_token()
            self.assertEqual(raised.exception.errcode, 40001)
        finally:
            client._http.close()

    # --- accounts and servicers ------------------------------------------------------------

    def test_account_list(self):
        result = self.client.kf.get_account_list()  # wechatpy uses GET (older doc revision)
        self.assertEqual(result["errcode"], 0)
        accounts = {a["open_kfid"]: a for a in result["account_list"]}
        self.assertEqual(set(accounts), {AFTER_SALES, PRE_SALES})
        for account in accounts.values():
            self.assertIsInstance(account["name"], str)
            self.assertTrue(account["name"])
            self.assertIsInstance(account["manage_privilege"], bool)
            self.assertIn("avatar", account)

    def test_servicer_list(self):
        result = self.client.kf.get_servicer_list(AFTER_SALES)
        self.assertEqual(result["errcode"], 0)
        servicers = result["servicer_list"]
        self.assertTrue(servicers)
        for servicer in servicers:
            self.assertIsInstance(servicer["userid"], str)
            self.assertIn(servicer["status"], (0, 1))
        self.assertTrue(any(s["status"] == 0 for s in servicers), servicers)

    # --- sync_msg --------------------------------------------------------------------------

    def test_sdk_sync_msg_without_open_kfid_gets_the_api_error(self):
        self.new_customer()
        # wechatpy 2.0.0a26 sends {"token","cursor","limit"} only; open_kfid is required.
        with self.assertRaises(WeChatClientException) as raised:
            self.client.kf.sync_msg(token="")
        self.assertEqual(raised.exception.errcode, 40058)

    def test_sync_msg_returns_the_customer_message(self):
        customer, msgid = self.new_customer("你好 SDK")
        result = self.sync_msg(AFTER_SALES)
        self.assertEqual(result["errcode"], 0)
        self.assertIn(result["has_more"], (0, 1))
        self.assertIsInstance(result["next_cursor"], str)
        items = [m for m in result["msg_list"] if m["msgid"] == msgid]
        self.assertEqual(len(items), 1, result["msg_list"])
        item = items[0]
        self.assertEqual(item["open_kfid"], AFTER_SALES)
        self.assertEqual(item["external_userid"], customer)
        self.assertEqual(item["msgtype"], "text")
        self.assertEqual(item["text"]["content"], "你好 SDK")
        self.assertEqual(item["origin"], 3)
        self.assertIsInstance(item["send_time"], int)

        # Incremental pull from next_cursor: only what came after.
        _, second = self.new_customer("第二位客户")
        later = self.sync_msg(AFTER_SALES, cursor=result["next_cursor"])
        msgids = [m["msgid"] for m in later["msg_list"]]
        self.assertIn(second, msgids)
        self.assertNotIn(msgid, msgids)

    # --- send_msg --------------------------------------------------------------------------

    def test_send_text_appears_in_sent(self):
        customer, _ = self.new_customer()
        result = self.client.kf_message.send_text(customer, AFTER_SALES, "您好，已为您查询")
        self.assertEqual(result["errcode"], 0)
        self.assertTrue(result["msgid"])
        mine = self.client.kf_message.send_text(
            customer, AFTER_SALES, "第二条", msgid="sdkcompat-0001"
        )
        self.assertEqual(mine["msgid"], "sdkcompat-0001")

        sent = {s["msgid"]: s for s in self.emulator.sent()}
        first = sent[result["msgid"]]
        self.assertEqual(first["touser"], customer)
        self.assertEqual(first["open_kfid"], AFTER_SALES)
        self.assertEqual(first["content"]["msgtype"], "text")
        self.assertEqual(first["content"]["text"]["content"], "您好，已为您查询")
        self.assertEqual(sent["sdkcompat-0001"]["content"]["text"]["content"], "第二条")

        # API-sent messages are not in sync_msg.
        synced = [m["msgid"] for m in self.sync_msg(AFTER_SALES)["msg_list"]]
        self.assertNotIn(result["msgid"], synced)

    def test_sixth_send_is_95001_as_client_exception(self):
        customer, _ = self.new_customer()
        for i in range(5):
            self.client.kf_message.send_text(customer, AFTER_SALES, f"回复 {i + 1}")
        with self.assertRaises(WeChatClientException) as raised:
            self.client.kf_message.send_text(customer, AFTER_SALES, "第六条")
        self.assertEqual(raised.exception.errcode, 95001)
        self.assertIn("errcode", json.loads(raised.exception.response.text))
        self.assertEqual(len([s for s in self.emulator.sent() if s["touser"] == customer]), 5)

        # A new customer message re-opens the allowance.
        self.emulator.customer_says("还在吗？", AFTER_SALES, customer)
        self.assertEqual(
            self.client.kf_message.send_text(customer, AFTER_SALES, "在的")["errcode"], 0
        )

    # --- service state ---------------------------------------------------------------------

    def test_service_state_get_and_trans(self):
        customer, _ = self.new_customer()
        kf = self.client.kf
        self.assertEqual(kf.get_service_state(AFTER_SALES, customer)["service_state"], 0)

        queued = kf.trans_service_state(AFTER_SALES, customer, 2)
        self.assertEqual(queued["errcode"], 0)
        self.assertTrue(queued.get("msg_code"), queued)
        self.assertEqual(kf.get_service_state(AFTER_SALES, customer)["service_state"], 2)

        receiving = [
            s["userid"]
            for s in kf.get_servicer_list(AFTER_SALES)["servicer_list"]
            if s.get("status") == 0 and "userid" in s
        ]
        servicer = receiving[0]
        self.assertEqual(kf.trans_service_state(AFTER_SALES, customer, 3, servicer)["errcode"], 0)
        state = kf.get_service_state(AFTER_SALES, customer)
        self.assertEqual(state["service_state"], 3)
        self.assertEqual(state["servicer_userid"], servicer)

        # A human has the session: the API may not send (95018).
        with self.assertRaises(WeChatClientException) as raised:
            self.client.kf_message.send_text(customer, AFTER_SALES, "机器人回复")
        self.assertEqual(raised.exception.errcode, 95018)

        ended = kf.trans_service_state(AFTER_SALES, customer, 4)
        self.assertEqual(ended["errcode"], 0)
        self.assertTrue(ended.get("msg_code"), ended)
        self.assertEqual(kf.get_service_state(AFTER_SALES, customer)["service_state"], 4)

        # Ended sessions cannot change state through the API.
        with self.assertRaises(WeChatClientException) as raised:
            kf.trans_service_state(AFTER_SALES, customer, 2)
        self.assertNotEqual(raised.exception.errcode, 0)

    # --- customers -------------------------------------------------------------------------

    def test_customer_batchget(self):
        customer, _ = self.new_customer()
        bogus = "wmNoSuchCustomer000000000000000"
        result = self.client.kf.batchget_customer([customer, bogus])
        self.assertEqual(result["errcode"], 0)
        self.assertEqual([c["external_userid"] for c in result["customer_list"]], [customer])
        profile = result["customer_list"][0]
        self.assertTrue(profile["nickname"])
        self.assertIn("avatar", profile)
        self.assertIn(profile["gender"], (0, 1, 2))
        self.assertEqual(result["invalid_external_userid"], [bogus])

    # --- media -----------------------------------------------------------------------------

    def test_media_upload_and_download(self):
        png = tiny_png()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "photo.png"
            path.write_bytes(png)
            with path.open("rb") as f:
                uploaded = self.client.media.upload("image", f)
        self.assertEqual(uploaded["errcode"], 0)
        self.assertEqual(uploaded["type"], "image")
        media_id = uploaded["media_id"]
        self.assertTrue(media_id)
        self.assertTrue(str(uploaded["created_at"]).isdigit())

        # Download through the SDK's request path (base URL, token, error handling).
        response = self.client.get("media/get", params={"media_id": media_id})
        self.assertIsInstance(response, requests.Response)
        self.assertEqual(response.content, png)
        self.assertIn("photo.png", response.headers.get("Content-Disposition", ""))

        # The URL the SDK builds for media/get (production host) serves the same bytes.
        url = self.client.media.get_url(media_id)
        self.assertTrue(url.startswith(PRODUCTION_HOST + "cgi-bin/media/get?access_token="))
        self.assertEqual(self.client._http.get(url, timeout=10).content, png)

        # An unknown media_id answers JSON, which the SDK turns into an exception.
        with self.assertRaises(WeChatClientException) as raised:
            self.client.get("media/get", params={"media_id": "3NoSuchMedia"})
        self.assertEqual(raised.exception.errcode, 40007)

        # The uploaded image can be sent to a customer.
        customer, _ = self.new_customer()
        sent = self.client.kf_message.send_image(customer, AFTER_SALES, media_id)
        record = {s["msgid"]: s for s in self.emulator.sent()}[sent["msgid"]]
        self.assertEqual(record["content"], {"msgtype": "image", "image": {"media_id": media_id}})


if __name__ == "__main__":
    print(f"wechatpy {wechatpy.__version__}, emulator {emulator_binary()}", flush=True)
    unittest.main(verbosity=2)
