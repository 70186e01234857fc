package io.pgrds.desired.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HbaGrammarTest {

    @ParameterizedTest
    @ValueSource(strings = {"all", "sameuser", "samerole", "replication", "app", "app-1.v2_x", "\"app db\"",
            "\"it's, quoted\"", "all,app,\"b c\"", "a23456789012345678901234567890123456789012345678901234567890123"})
    void databaseFieldsPostgresReadsAsOneFieldAreAccepted(String value) {
        assertEquals(Optional.empty(), HbaGrammar.database(value));
        assertTrue(schemaAccepts("database", value), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "all host", "all\thost", "all\nhost all all 0.0.0.0/0 trust", "app#x", "@dbs.txt",
            "/^db", "+admins", "a,,b", "a,", "\"unterminated", "\"a\"b\"", "\"\"", "app;drop",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void databaseFieldsThatWouldBeTwoFieldsACommentAFileOrARegexAreRefused(String value) {
        assertTrue(HbaGrammar.database(value).isPresent(), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "app", "+admins", "\"it is\"", "all,+admins,\"x y\",app_1", "replication"})
    void userFieldsWithGroupsAndQuotedNamesAreAccepted(String value) {
        assertEquals(Optional.empty(), HbaGrammar.user(value));
        assertTrue(schemaAccepts("user", value), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "all all", "+\"ops\"", "++x", "@users", "a,,b", "all # x", "x\ny"})
    void userFieldsOutsideTheGrammarAreRefused(String value) {
        assertTrue(HbaGrammar.user(value).isPresent(), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "samehost", "samenet", "10.0.0.0/8", "0.0.0.0/0", "192.168.1.7/32", "::1/128",
            "::/0", "fd00::/8", "2001:db8::1/128", "2001:0db8:0000:0000:0000:ff00:0042:8329/128",
            "::ffff:10.0.0.1/128", "db.example.com", ".example.com", "localhost", "host_1"})
    void addressesPostgresTakesAreAccepted(String value) {
        assertEquals(Optional.empty(), HbaGrammar.address(value));
        assertTrue(schemaAccepts("address", value), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.1", "::1", "10.0.0.0/33", "10.0.0.300/8", "10.0.0/8", "::1/129",
            "1:2:3:4:5:6:7:8:9/128", "1::2::3/128", "10.0.0.0/8 trust", "10.0.0.0 255.0.0.0", "a..b", "-bad.example",
            "bad-.example", "host#x", "a,b", "\"quoted\"", ".", "10.0.0.0/", "/8", "x\n"})
    void addressesThatAreNotOneRangeOrHostAreRefused(String value) {
        assertTrue(HbaGrammar.address(value).isPresent(), value);
    }

    @Test
    void anIpAddressWithoutPrefixLengthIsToldWhatToWrite() {
        assertTrue(HbaGrammar.address("10.0.0.1").orElseThrow().startsWith("an IP address needs its prefix length: "
                + "10.0.0.1/32 for this host alone"));
        assertTrue(HbaGrammar.address("::1").orElseThrow().contains("::1/128"));
    }

    @Test
    void anItemOfAListIsNamedInTheMessage() {
        assertEquals("\"+x\" in it: + (members of a role) is for the user field only; " + HbaGrammar.DATABASE_RULE
                + ".", HbaGrammar.database("app,+x").orElseThrow());
    }

    /** The editors' approximation in the schema never refuses what the grammar accepts. */
    private static boolean schemaAccepts(String field, String value) {
        ObjectNode rule = JsonNodeFactory.instance.objectNode().put("type", "host").put("database", "all")
                .put("user", "all").put("address", "10.0.0.0/8").put("method", "md5");
        rule.put(field, value);
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.putObject("postgres").putArray("hba").add(rule);
        List<SchemaCheck.Finding> findings = SchemaCheck.check(doc);
        return findings.isEmpty();
    }

    @Test
    void everyRuleOfTheFileIsCheckedFieldByFieldWithItsOwnPointer() {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        var hba = doc.putObject("postgres").putArray("hba");
        hba.addObject().put("type", "host").put("database", "a b").put("user", "all").put("address", "10.0.0.1")
                .put("method", "md5");
        hba.addObject().put("type", "local").put("database", "all").put("user", "all").put("address", "10.0.0.0/8")
                .put("method", "peer");
        hba.addObject().put("type", "hostssl").put("database", "all").put("user", "all").put("method", "cert");
        List<String> pointers = ValueChecks.check(doc, Map.of()).stream()
                .map(f -> f.code() + " " + f.pointer()).toList();
        assertEquals(List.of("INVALID_HBA /postgres/hba/0/address", "INVALID_HBA /postgres/hba/0/database",
                "INVALID_HBA /postgres/hba/1/address", "INVALID_HBA /postgres/hba/2/type"), pointers);
    }

    @Test
    void aPlusWithoutAGroupNameIsRefusedWithAReasonNotACrash() {
        assertEquals(Optional.of("a name is missing after +; " + HbaGrammarTest.userRule()), HbaGrammar.user("+"));
        assertTrue(HbaGrammar.user("admin,+").orElseThrow().contains("a name is missing after +"));
    }

    @Test
    void aCharacterOutsideTheNameRuleIsNamedWholeAndOnOneLine() {
        String why = HbaGrammar.user("\uD83D\uDC18x\uFEFF").orElseThrow();
        assertTrue(why.startsWith("it holds '\uD83D\uDC18'"), why);
        assertTrue(io.pgrds.util.Texts.firstControl(why).isEmpty(), why);
    }

    private static String userRule() {
        return HbaGrammar.user("").orElseThrow().replace("the field is empty; ", "");
    }
}
