-- wrk script: POST a realistic 10-recipient draft to /api/v1/check with a session.
-- TOKEN and DEVICE come from the environment (scripts/loadtest.sh sets them). No response()
-- callback: wrk would then parse every answer in Lua, which on a shared machine takes the
-- server's CPU; scripts/loadtest.sh fails the run on wrk's own count of non-2xx answers.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["X-Device-Id"] = os.getenv("DEVICE")
local file = assert(io.open("samples/drafts/ten-recipients.json", "r"))
wrk.body = file:read("*a")
file:close()
