-- wrk script: POST a realistic 10-recipient draft to /api/v1/check with a session.
-- TOKEN and DEVICE come from the environment (scripts/loadtest.sh sets them).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["X-Device-Id"] = os.getenv("DEVICE")
local file = assert(io.open("samples/drafts/ten-recipients.json", "r"))
wrk.body = file:read("*a")
file:close()

-- Any answer other than 200 means the numbers measure errors, not checks.
local failures = 0
response = function(status)
  if status ~= 200 then failures = failures + 1 end
end
done = function()
  if failures > 0 then io.stderr:write(string.format("non-200 answers: %d\n", failures)) end
end
