import { describe, expect, it } from "vitest";
import { parseDevVars } from "../../../scripts/migrate/parseDevVars";
import { redactDatabaseUrl } from "../../../scripts/migrate/redactDatabaseUrl";

describe("parseDevVars", () => {
  it("reads quoted, unquoted and exported values and skips comments", () => {
    const variables = parseDevVars(
      [
        "# local secrets",
        'DATABASE_URL="postgres://user:pa ss@localhost:5432/liveloot"',
        "TWITCH_CLIENT_ID=abc123 # trailing comment",
        "export NEON_WS_PROXY='localhost:5433/v1'",
        'MULTI="one\\ntwo \\"quoted\\""',
        "",
        "not a variable",
      ].join("\r\n"),
    );

    expect(variables).toEqual({
      DATABASE_URL: "postgres://user:pa ss@localhost:5432/liveloot",
      TWITCH_CLIENT_ID: "abc123",
      NEON_WS_PROXY: "localhost:5433/v1",
      MULTI: 'one\ntwo "quoted"',
    });
  });
});

describe("redactDatabaseUrl", () => {
  it("hides the password but keeps what helps an operator", () => {
    expect(
      redactDatabaseUrl("postgres://neondb_owner:s3cr3t@ep-x.eu-central-1.aws.neon.tech/neondb?sslmode=require"),
    ).toBe("postgres://neondb_owner:***@ep-x.eu-central-1.aws.neon.tech/neondb?sslmode=require");
    expect(redactDatabaseUrl("postgres://postgres@127.0.0.1:5432/liveloot")).toBe(
      "postgres://postgres@127.0.0.1:5432/liveloot",
    );
    expect(redactDatabaseUrl("postgres://u@h/db?password=s3cr3t")).not.toContain("s3cr3t");
    expect(redactDatabaseUrl("not a url s3cr3t")).not.toContain("s3cr3t");
  });
});
