/*
 * test_schema.c: the record schema table against DOMAIN.md section 2 (every
 * type, field, creator and writer), its internal consistency, and the value
 * checks and input parsing it drives.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crdt/crdt.h"
#include "node/ledger/finding.h"
#include "node/ledger/schema.h"

#define B(r) NODE_ROLE_BIT(NODE_ROLE_##r)
#define HE B(HEALTH)
#define TO B(TOWNSHIP)
#define PO B(POLICE)
#define CI B(CIVIL)
#define DI B(DISABLED)
#define LE B(LEGAL)
#define AU B(AUDITOR)

static const struct node_type *type(const char *name)
{
	const struct node_type *t = node_schema_type(name, strlen(name));
	assert_non_null(t);
	return t;
}

static const struct node_field *field(const char *t, const char *f)
{
	const struct node_field *x = node_schema_field(type(t), f, strlen(f));
	if (x == NULL)
		fail_msg("no field %s.%s", t, f);
	return x;
}

static bool has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* DOMAIN.md section 2, written out independently of the table: each type,
 * its creators and its fields (retracted and retract_reason come on top). */
static const struct {
	const char *type;
	unsigned creators;
	const char *fields;
} domain[] = {
    {"patient", HE | TO,
     "name id_number sex birth_date phone address household patient_no "
     "registered_on status exit_reason exit_date death_cause "
     "transferred_from diagnosis diagnosed_on diagnosing_hospital onset_on "
     "consent consent_on special benefits disability_grade employment "
     "economy"},
    {"guardian", TO | CI | HE,
     "patient name id_number relation phone address strength since until"},
    {"followup", HE | TO | PO,
     "patient date mode reached lost_reason risk class insight sleep diet "
     "self_care housework work learning social acts_nuisance acts_trouble "
     "acts_disaster acts_other acts_self_harm acts_suicide_attempt locked "
     "hospital last_discharge adherence side_effects effect referral "
     "referral_reason referral_to medication rehab next_visit visitors "
     "joint"},
    {"assessment", HE | TO,
     "patient date risk previous_risk source reason approved_by"},
    {"hospitalization", HE,
     "patient hospital admitted discharged involuntary reason outcome"},
    {"incident", PO | HE | LE,
     "patient date place kind reasons measures police_unit injured dead "
     "loss_yuan notes"},
    {"search", PO | TO | CI,
     "patient declared_on trigger station officer actions found_on found_at "
     "outcome"},
    {"agreement", TO | LE | HE | CI,
     "patient guardian kind signed_on period_from period_to amount_yuan "
     "status"},
    {"free_med", HE | DI, "patient from to source consent_agreement"},
    {"transfer", HE | TO,
     "patient to_scope out_on letter_on status refused_reason"},
    {"transfer_accept", HE | TO, "transfer accepted_on"},
    {"care_group", TO, "patient members leader"},
    {"meeting", TO | LE, "date attendees decisions"},
    {"exam", HE,
     "patient date bp_sys bp_dia weight blood alt glucose ecg consent"},
    {"region", HE, "name population year"},
    {"policy", HE | TO,
     "unstable_days basic_days stable_days max_gap_days first_visit_days"},
};

#define N_DOMAIN (sizeof(domain) / sizeof(domain[0]))

static size_t count_words(const char *s)
{
	size_t n = 0;
	bool in = false;
	for (; *s; s++) {
		if (*s != ' ' && !in)
			n++;
		in = *s != ' ';
	}
	return n;
}

/* Every type and field DOMAIN.md names is in the table, and nothing else. */
static void test_domain_coverage(void **state)
{
	(void)state;
	assert_int_equal(node_schema_type_count(), N_DOMAIN);
	for (size_t i = 0; i < N_DOMAIN; i++) {
		const struct node_type *t = type(domain[i].type);
		assert_int_equal(t->creators, domain[i].creators);
		assert_int_equal(t->n_fields,
				 count_words(domain[i].fields) + 2);
		const char *p = domain[i].fields;
		while (*p) {
			size_t n = strcspn(p, " ");
			if (node_schema_field(t, p, n) == NULL)
				fail_msg("%s lacks %.*s", t->name, (int)n, p);
			p += n;
			p += strspn(p, " ");
		}
		assert_non_null(node_schema_field(t, "retracted", 9));
		assert_non_null(node_schema_field(t, "retract_reason", 14));
	}
	assert_null(node_schema_type_at(N_DOMAIN));
}

static void test_table_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < node_schema_type_count(); i++) {
		const struct node_type *t = node_schema_type_at(i);
		assert_non_null(t);
		assert_ptr_equal(node_schema_type(t->name, strlen(t->name)), t);
		assert_null(node_schema_type(t->label_zh, strlen(t->label_zh)));
		assert_ptr_equal(
		    node_schema_type_find(t->label_zh, strlen(t->label_zh)), t);
		assert_ptr_equal(
		    node_schema_type_find(t->name, strlen(t->name)), t);
		assert_true(has_non_ascii(t->label_zh));
		assert_int_not_equal(t->creators, 0);
		assert_int_equal(t->creators & AU, 0);
		if (t->patient_field != NULL) {
			const struct node_field *pf = field(t->name, "patient");
			assert_string_equal(t->patient_field, "patient");
			assert_int_equal(pf->kind, NODE_FIELD_REF);
			assert_string_equal(pf->ref_type, "patient");
		}
		for (size_t j = 0; j < t->n_fields; j++) {
			const struct node_field *f = &t->fields[j];
			assert_true(has_non_ascii(f->label_zh));
			for (size_t k = j + 1; k < t->n_fields; k++) {
				if (strcmp(f->name, t->fields[k].name) == 0 ||
				    strcmp(f->label_zh,
					   t->fields[k].label_zh) == 0)
					fail_msg("%s.%s: duplicate name or "
						 "label",
						 t->name, f->name);
			}
			/* Lookup by name and by label finds this field. */
			assert_ptr_equal(
			    node_schema_field(t, f->name, strlen(f->name)), f);
			assert_ptr_equal(node_schema_field(t, f->label_zh,
							   strlen(f->label_zh)),
					 f);
			assert_int_not_equal(f->writers, 0);
			assert_int_equal(f->writers & AU, 0);
			assert_true(f->sensitivity == 0 ||
				    strchr("HIRF", f->sensitivity) != NULL);
			if (f->required)
				assert_int_equal(t->creators & ~f->writers, 0);
			if (f->write_once)
				assert_int_equal(f->writers & ~t->creators, 0);
			if (f->kind == NODE_FIELD_ENUM) {
				assert_non_null(f->enums);
				assert_non_null(f->enum_labels_zh);
				assert_non_null(f->enums[0]);
				size_t n = 0;
				for (; f->enums[n] != NULL; n++) {
					assert_non_null(f->enum_labels_zh[n]);
					assert_true(has_non_ascii(
					    f->enum_labels_zh[n]));
					for (size_t k = 0; k < n; k++) {
						assert_string_not_equal(
						    f->enums[k], f->enums[n]);
						assert_string_not_equal(
						    f->enum_labels_zh[k],
						    f->enum_labels_zh[n]);
					}
				}
				assert_null(f->enum_labels_zh[n]);
			} else {
				assert_null(f->enums);
			}
			if (f->kind == NODE_FIELD_REF) {
				assert_non_null(f->ref_type);
				assert_non_null(node_schema_type(
				    f->ref_type, strlen(f->ref_type)));
				assert_true(f->write_once);
			} else {
				assert_null(f->ref_type);
				assert_false(f->write_once);
			}
			if (f->kind == NODE_FIELD_INT)
				assert_true(f->min <= f->max);
		}
		/* Retraction by exactly the creators. */
		const struct node_field *r = field(t->name, "retracted");
		assert_int_equal(r->kind, NODE_FIELD_ENUM);
		assert_string_equal(r->enums[0], "yes");
		assert_null(r->enums[1]);
		assert_int_equal(r->writers, t->creators);
		r = field(t->name, "retract_reason");
		assert_int_equal(r->kind, NODE_FIELD_TEXT);
		assert_int_equal(r->writers, t->creators);
	}
}

static void test_references_write_once(void **state)
{
	(void)state;
	static const char *const refs[][3] = {
	    {"patient", "transferred_from", "patient"},
	    {"guardian", "patient", "patient"},
	    {"agreement", "guardian", "guardian"},
	    {"assessment", "approved_by", "meeting"},
	    {"free_med", "consent_agreement", "agreement"},
	    {"transfer_accept", "transfer", "transfer"},
	};
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		const struct node_field *f = field(refs[i][0], refs[i][1]);
		assert_int_equal(f->kind, NODE_FIELD_REF);
		assert_true(f->write_once);
		assert_string_equal(f->ref_type, refs[i][2]);
	}
	/* The incident's patient is optional; a followup's is required. */
	assert_false(field("incident", "patient")->required);
	assert_true(field("followup", "patient")->required);
	assert_true(field("followup", "date")->required);
}

static void test_roles(void **state)
{
	(void)state;
	for (int r = 0; r < NODE_ROLE_COUNT; r++) {
		enum node_role out = NODE_ROLE_COUNT;
		const char *n = node_role_name((enum node_role)r);
		const char *l = node_role_label_zh((enum node_role)r);
		assert_int_equal(node_role_parse(n, strlen(n), &out), 0);
		assert_int_equal(out, r);
		/* A roster spells a role one way: labels are not codes. */
		out = NODE_ROLE_COUNT;
		assert_int_equal(node_role_parse(l, strlen(l), &out), -EINVAL);
		assert_int_equal(out, NODE_ROLE_COUNT);
		assert_true(has_non_ascii(l));
	}
	enum node_role out = NODE_ROLE_LEGAL;
	assert_int_equal(node_role_parse("Health", 6, &out), -EINVAL);
	assert_int_equal(node_role_parse("healthy", 7, &out), -EINVAL);
	assert_int_equal(node_role_parse("", 0, &out), -EINVAL);
	assert_int_equal(out, NODE_ROLE_LEGAL);
	/* Length, not NUL, ends the input. */
	assert_int_equal(node_role_parse("policeman", 6, &out), 0);
	assert_int_equal(out, NODE_ROLE_POLICE);
	assert_string_equal(node_role_name(NODE_ROLE_CIVIL), "civil");
	assert_string_equal(node_role_name(NODE_ROLE_COUNT), "?");
	assert_string_equal(node_role_label_zh(NODE_ROLE_COUNT), "?");
}

/* Who may create what: every role against every type. */
static void test_create_matrix(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_DOMAIN; i++) {
		const struct node_type *t = type(domain[i].type);
		for (int r = 0; r < NODE_ROLE_COUNT; r++) {
			bool want = (domain[i].creators &
				     NODE_ROLE_BIT((unsigned)r)) != 0;
			if (node_schema_may_create(t, (enum node_role)r) !=
			    want)
				fail_msg("%s may%s create %s",
					 node_role_name(r), want ? " not" : "",
					 t->name);
		}
		assert_false(node_schema_may_create(t, NODE_ROLE_AUDITOR));
		assert_false(node_schema_may_create(t, NODE_ROLE_COUNT));
	}
	assert_true(node_schema_may_create(type("incident"), NODE_ROLE_POLICE));
	assert_false(node_schema_may_create(type("followup"), NODE_ROLE_CIVIL));
	assert_true(node_schema_may_create(type("followup"), NODE_ROLE_POLICE));
	assert_false(node_schema_may_create(type("exam"), NODE_ROLE_POLICE));
	assert_false(node_schema_may_create(type("patient"), NODE_ROLE_POLICE));
	assert_true(node_schema_may_create(type("search"), NODE_ROLE_CIVIL));
	assert_true(
	    node_schema_may_create(type("free_med"), NODE_ROLE_DISABLED));
	assert_false(node_schema_may_create(type("free_med"), NODE_ROLE_CIVIL));
	assert_true(node_schema_may_create(type("agreement"), NODE_ROLE_LEGAL));
	assert_false(
	    node_schema_may_create(type("care_group"), NODE_ROLE_HEALTH));
	assert_true(node_schema_may_create(type("meeting"), NODE_ROLE_LEGAL));
	assert_false(
	    node_schema_may_create(type("region"), NODE_ROLE_TOWNSHIP));
	assert_true(node_schema_may_create(type("policy"), NODE_ROLE_TOWNSHIP));
}

/* Writers of the patient's fields: t fields for township, health all, and
 * the three fields with their own lists. Everything else: the creators. */
static void test_write_matrix(void **state)
{
	(void)state;
	static const char *const t_fields[] = {
	    "name",	     "id_number", "sex",	 "birth_date",
	    "phone",	     "address",	  "household",	 "patient_no",
	    "registered_on", "status",	  "exit_reason", "exit_date",
	};
	static const char *const health_only[] = {
	    "death_cause",	   "diagnosis",	 "diagnosed_on",
	    "diagnosing_hospital", "onset_on",	 "consent",
	    "consent_on",	   "employment", "economy",
	};
	for (size_t i = 0; i < sizeof(t_fields) / sizeof(t_fields[0]); i++)
		assert_int_equal(field("patient", t_fields[i])->writers,
				 HE | TO);
	for (size_t i = 0; i < sizeof(health_only) / sizeof(health_only[0]);
	     i++)
		assert_int_equal(field("patient", health_only[i])->writers, HE);
	assert_int_equal(field("patient", "special")->writers, TO | HE | PO);
	assert_int_equal(field("patient", "benefits")->writers,
			 CI | DI | TO | HE);
	assert_int_equal(field("patient", "disability_grade")->writers,
			 DI | HE);

	const struct node_field *name = field("patient", "name");
	const struct node_field *diag = field("patient", "diagnosis");
	assert_true(node_schema_may_write(name, NODE_ROLE_TOWNSHIP));
	assert_false(node_schema_may_write(diag, NODE_ROLE_TOWNSHIP));
	assert_true(node_schema_may_write(diag, NODE_ROLE_HEALTH));
	assert_false(node_schema_may_write(name, NODE_ROLE_POLICE));
	assert_true(node_schema_may_write(field("patient", "special"),
					  NODE_ROLE_POLICE));
	assert_false(node_schema_may_write(field("patient", "benefits"),
					   NODE_ROLE_POLICE));
	assert_true(node_schema_may_write(field("patient", "benefits"),
					  NODE_ROLE_CIVIL));
	assert_false(node_schema_may_write(field("patient", "disability_grade"),
					   NODE_ROLE_CIVIL));
	assert_true(node_schema_may_write(field("patient", "disability_grade"),
					  NODE_ROLE_DISABLED));
	assert_false(node_schema_may_write(name, NODE_ROLE_LEGAL));
	assert_false(node_schema_may_write(name, NODE_ROLE_COUNT));

	for (size_t i = 0; i < node_schema_type_count(); i++) {
		const struct node_type *t = node_schema_type_at(i);
		for (size_t j = 0; j < t->n_fields; j++) {
			const struct node_field *f = &t->fields[j];
			assert_false(
			    node_schema_may_write(f, NODE_ROLE_AUDITOR));
			if (strcmp(t->name, "patient") == 0)
				continue;
			/* A follow-up's clinical fields are health's alone
			 * from schema version 2 (DOMAIN.md section 5). */
			if (!strcmp(t->name, "followup") &&
			    f->sensitivity == NODE_SENS_CLINICAL) {
				assert_int_equal(f->writers, HE);
				assert_int_equal(f->writers_v1, t->creators);
				assert_false(node_schema_may_write_at(
				    f, NODE_ROLE_TOWNSHIP, 2));
				assert_true(node_schema_may_write_at(
				    f, NODE_ROLE_TOWNSHIP, 1));
				continue;
			}
			assert_int_equal(f->writers, t->creators);
		}
	}
}

/* DOMAIN.md section 5: who reads a sealed field, and the roles value. */
static void test_sealed_fields(void **state)
{
	(void)state;
	const struct node_field *name = field("patient", "name");
	const struct node_field *diag = field("patient", "diagnosis");
	const struct node_field *notes = field("incident", "notes");
	const struct node_field *insight = field("followup", "insight");
	const struct node_field *risk = field("followup", "risk");
	assert_true(node_schema_sealed(name, 2));
	assert_false(node_schema_sealed(name, 1));
	assert_true(node_schema_sealed(diag, 2));
	assert_false(node_schema_sealed(risk, 2));
	assert_false(node_schema_sealed(field("patient", "patient_no"), 2));
	unsigned all = (1u << NODE_ROLE_COUNT) - 1;
	assert_int_equal(node_schema_readers(name), all);
	assert_int_equal(node_schema_readers(diag),
			 HE | NODE_ROLE_BIT(NODE_ROLE_AUDITOR));
	assert_int_equal(node_schema_readers(insight),
			 HE | NODE_ROLE_BIT(NODE_ROLE_AUDITOR));
	/* police writes incident notes, so it reads them */
	assert_true(node_schema_readers(notes) &
		    NODE_ROLE_BIT(NODE_ROLE_POLICE));
	assert_false(node_schema_readers(notes) &
		     NODE_ROLE_BIT(NODE_ROLE_TOWNSHIP));
	assert_int_equal(node_schema_readers(risk), 0);

	char text[96];
	node_schema_roles_text(all, text, sizeof(text));
	assert_string_equal(text,
			    "auditor,civil,disabled,health,legal,police,township");
	node_schema_roles_text(node_schema_readers(diag), text, sizeof(text));
	assert_string_equal(text, "auditor,health");
	unsigned m;
	assert_int_equal(node_schema_roles_parse("auditor,health", 14, &m), 0);
	assert_int_equal(m, node_schema_readers(diag));
	static const char *const bad[] = {
	    "", ",", "health,auditor", "auditor,auditor", "auditor,",
	    ",auditor", "auditor,,health", "Health", "auditor health",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(
		    node_schema_roles_parse(bad[i], strlen(bad[i]), &m),
		    -EINVAL);
	/* The key record is ward's own: found by its code, never by what an
	 * operator types, never listed. */
	const struct node_type *key = node_schema_type("key", 3);
	assert_non_null(key);
	assert_true(key->internal);
	assert_null(node_schema_type_find("密钥", strlen("密钥")));
	assert_null(node_schema_type_find("key", 3));
	for (size_t i = 0; i < node_schema_type_count(); i++)
		assert_false(node_schema_type_at(i)->internal);
}

static void test_lookup(void **state)
{
	(void)state;
	assert_string_equal(node_schema_type_find("患者", strlen("患者"))->name,
			    "patient");
	assert_string_equal(node_schema_type_find("随访", strlen("随访"))->name,
			    "followup");
	assert_null(node_schema_type("患者", strlen("患者")));
	assert_null(node_schema_type_find("患", strlen("患")));
	assert_null(node_schema_type("patients", 8));
	assert_null(node_schema_type("", 0));
	assert_string_equal(node_schema_type("patientX", 7)->name, "patient");
	const struct node_type *p = type("patient");
	assert_string_equal(
	    node_schema_field(p, "身份证号", strlen("身份证号"))->name,
	    "id_number");
	assert_string_equal(node_schema_field(p, "性别", strlen("性别"))->name,
			    "sex");
	assert_null(node_schema_field(p, "scope", 5));
	assert_null(node_schema_field(p, "nam", 3));
	assert_string_equal(field("followup", "病情分类")->name, "class");
	assert_string_equal(field("assessment", "危险性评估等级")->name,
			    "risk");
	assert_string_equal(field("followup", "risk")->label_zh, "危险性");
}

/* Fixed labels the brief and DOMAIN.md name. */
static void test_labels(void **state)
{
	(void)state;
	assert_string_equal(type("patient")->label_zh, "患者");
	assert_string_equal(type("guardian")->label_zh, "监护人");
	assert_string_equal(type("followup")->label_zh, "随访");
	assert_string_equal(field("patient", "name")->label_zh, "姓名");
	assert_string_equal(field("patient", "id_number")->label_zh,
			    "身份证号");
	assert_string_equal(field("patient", "sex")->label_zh, "性别");
	const struct node_field *sex = field("patient", "sex");
	assert_string_equal(node_schema_enum_label_zh(sex, "male", 4), "男");
	assert_string_equal(node_schema_enum_label_zh(sex, "female", 6), "女");
	assert_null(node_schema_enum_label_zh(sex, "m", 1));
	assert_null(
	    node_schema_enum_label_zh(field("patient", "name"), "x", 1));
	const struct node_field *dx = field("patient", "diagnosis");
	assert_string_equal(node_schema_enum_label_zh(dx, "schizophrenia", 13),
			    "精神分裂症");
	assert_string_equal(node_schema_enum_label_zh(dx, "bipolar", 7),
			    "双相情感障碍");
	const struct node_field *cl = field("followup", "class");
	assert_string_equal(node_schema_enum_label_zh(cl, "unstable", 8),
			    "不稳定");
	assert_string_equal(node_schema_enum_label_zh(cl, "basic", 5),
			    "基本稳定");
	assert_string_equal(node_schema_enum_label_zh(cl, "stable", 6), "稳定");
}

/* Units, ranges and sensitivity DOMAIN.md names. */
static void test_units_and_tags(void **state)
{
	(void)state;
	assert_string_equal(field("exam", "weight")->unit, "0.1kg");
	assert_string_equal(field("exam", "bp_sys")->unit, "mmHg");
	assert_string_equal(field("exam", "bp_dia")->unit, "mmHg");
	assert_string_equal(field("agreement", "amount_yuan")->unit, "yuan");
	assert_string_equal(field("incident", "loss_yuan")->unit, "yuan");
	assert_int_equal(field("followup", "risk")->min, 0);
	assert_int_equal(field("followup", "risk")->max, 5);
	assert_int_equal(field("assessment", "previous_risk")->max, 5);
	assert_int_equal(field("patient", "disability_grade")->min, 1);
	assert_int_equal(field("patient", "disability_grade")->max, 4);
	assert_int_equal(field("region", "year")->min, 1900);
	assert_int_equal(field("region", "year")->max, 2100);
	assert_int_equal(field("region", "population")->min, 0);
	assert_int_equal(field("incident", "injured")->min, 0);
	assert_int_equal(field("followup", "acts_trouble")->min, 0);
	assert_int_equal(field("policy", "max_gap_days")->min, 1);
	assert_int_equal(field("policy", "max_gap_days")->max, 3650);
	static const char *const id[][2] = {
	    {"patient", "name"},   {"patient", "id_number"},
	    {"patient", "phone"},  {"patient", "address"},
	    {"guardian", "name"},  {"guardian", "id_number"},
	    {"guardian", "phone"}, {"guardian", "address"},
	};
	for (size_t i = 0; i < sizeof(id) / sizeof(id[0]); i++)
		assert_int_equal(field(id[i][0], id[i][1])->sensitivity, 'I');
	static const char *const h[][2] = {
	    {"patient", "diagnosis"},
	    {"patient", "diagnosed_on"},
	    {"patient", "diagnosing_hospital"},
	    {"patient", "onset_on"},
	    {"incident", "notes"},
	};
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		assert_int_equal(field(h[i][0], h[i][1])->sensitivity, 'H');
	assert_int_equal(field("followup", "risk")->sensitivity, 'R');
	assert_int_equal(field("patient", "benefits")->sensitivity, 'F');
	assert_true(field("patient", "special")->is_set);
	assert_true(field("patient", "benefits")->is_set);
	assert_true(field("followup", "medication")->is_set);
	assert_true(field("incident", "reasons")->is_set);
	assert_false(field("patient", "sex")->is_set);
	assert_int_equal(field("transfer", "to_scope")->kind, NODE_FIELD_SCOPE);
	assert_int_equal(field("followup", "medication")->kind,
			 NODE_FIELD_MED_LINE);
	assert_int_equal(field("patient", "id_number")->kind,
			 NODE_FIELD_ID_NUMBER);
	/* yes/no fields are the enum {yes, no}. */
	const struct node_field *joint = field("followup", "joint");
	assert_string_equal(joint->enums[0], "yes");
	assert_string_equal(joint->enums[1], "no");
	assert_null(joint->enums[2]);
}

/* ---------------------------------------------------------------------- */
/* Values.                                                                 */

static struct crdt_value str(const char *s)
{
	return (struct crdt_value){
	    .kind = CRDT_VALUE_STR, .p = (const uint8_t *)s, .len = strlen(s)};
}

static struct crdt_value integer(int64_t i)
{
	return (struct crdt_value){.kind = CRDT_VALUE_INT, .i = i};
}

static int check(const struct node_field *f, struct crdt_value v)
{
	char why[256];
	return node_schema_check(f, &v, why, sizeof(why));
}

static int check_str(const char *t, const char *fld, const char *s)
{
	return check(field(t, fld), str(s));
}

static char parsed[CRDT_MAX_STR_BYTES + 1];
static char reason[512];

/* Parses text for t.fld; on success the value as a C string in parsed. */
static int parse(const char *t, const char *fld, const char *text)
{
	static uint8_t buf[CRDT_MAX_STR_BYTES];
	struct crdt_value v = {.kind = CRDT_VALUE_BOOL};
	reason[0] = '\0';
	int rc = node_schema_parse(field(t, fld), text, &v, buf, sizeof(buf),
				   reason, sizeof(reason));
	if (rc != 0) {
		assert_int_equal(rc, -EINVAL);
		assert_int_equal(v.kind, CRDT_VALUE_BOOL);
		assert_true(reason[0] != '\0');
		return rc;
	}
	parsed[0] = '\0';
	if (v.kind == CRDT_VALUE_STR) {
		assert_ptr_equal(v.p, buf);
		memcpy(parsed, v.p, v.len);
		parsed[v.len] = '\0';
	} else if (v.kind == CRDT_VALUE_INT) {
		snprintf(parsed, sizeof(parsed), "%lld", (long long)v.i);
	} else if (v.kind == CRDT_VALUE_NIL) {
		snprintf(parsed, sizeof(parsed), "nil");
	} else if (v.kind == CRDT_VALUE_BIN) {
		assert_ptr_equal(v.p, buf);
		for (size_t i = 0; i < v.len; i++)
			snprintf(parsed + 2 * i, 3, "%02x", v.p[i]);
	} else {
		fail_msg("parse gave a bool");
	}
	/* Whatever parse gives, check accepts. */
	char why[256];
	assert_int_equal(node_schema_check(field(t, fld), &v, why, sizeof(why)),
			 0);
	return 0;
}

static void assert_parses(const char *t, const char *f, const char *text,
			  const char *want)
{
	if (parse(t, f, text) != 0)
		fail_msg("%s.%s: '%s' rejected: %s", t, f, text, reason);
	assert_string_equal(parsed, want);
}

static void assert_rejects(const char *t, const char *f, const char *text)
{
	if (parse(t, f, text) == 0)
		fail_msg("%s.%s: '%s' accepted as '%s'", t, f, text, parsed);
}

/* Sets the check character of a 17-digit prefix. */
static void with_check(char id[19])
{
	static const int w[17] = {7, 9, 10, 5,	8, 4, 2, 1, 6,
				  3, 7, 9,  10, 5, 8, 4, 2};
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (id[i] - '0') * w[i];
	id[17] = "10X98765432"[sum % 11];
	id[18] = '\0';
}

static void test_id_number(void **state)
{
	(void)state;
	assert_true(node_schema_id_number_valid("11010519491231002X", 18));
	assert_false(node_schema_id_number_valid("11010519491231002x", 18));
	assert_false(node_schema_id_number_valid("110105194912310021", 18));
	assert_false(node_schema_id_number_valid("11010519491231002", 17));
	assert_false(node_schema_id_number_valid("11010519491231002XX", 19));
	assert_false(node_schema_id_number_valid("1101051949123100AX", 18));
	/* The check character is right but the birth date is not a date. */
	char id[19] = "11010519490230001";
	with_check(id);
	assert_false(node_schema_id_number_valid(id, 18));
	memcpy(id, "11010520000229001", 17);
	with_check(id);
	assert_true(node_schema_id_number_valid(id, 18));
	memcpy(id, "11010519000229001", 17);
	with_check(id);
	assert_false(node_schema_id_number_valid(id, 18));
	memcpy(id, "11010519491331001", 17);
	with_check(id);
	assert_false(node_schema_id_number_valid(id, 18));
	/* Every single-digit mistype is caught by the check character. */
	const char *good = "11010519491231002X";
	for (int i = 0; i < 17; i++) {
		char bad[19];
		memcpy(bad, good, 19);
		bad[i] = bad[i] == '9' ? '0' : (char)(bad[i] + 1);
		assert_false(node_schema_id_number_valid(bad, 18));
	}

	assert_int_equal(check_str("patient", "id_number", good), 0);
	assert_int_equal(
	    check_str("patient", "id_number", "11010519491231002x"), -EINVAL);
	assert_parses("patient", "id_number", "11010519491231002x", good);
	assert_parses("guardian", "id_number", " 11010519491231002X ", good);
	assert_rejects("patient", "id_number", "110105194912310021");
	assert_true(strstr(reason, "id_number") != NULL);
	assert_true(strstr(reason, "110105194912310021") != NULL);
	assert_true(strstr(reason, "check") != NULL);
	assert_rejects("patient", "id_number", id);
	assert_true(strstr(reason, "birth date") != NULL);
	assert_rejects("patient", "id_number", "1101051949123100");
}

static void test_dates(void **state)
{
	(void)state;
	assert_true(node_schema_date_valid("2024-02-29", 10));
	assert_false(node_schema_date_valid("2023-02-29", 10));
	assert_true(node_schema_date_valid("2000-02-29", 10));
	assert_false(node_schema_date_valid("1900-02-29", 10));
	assert_false(node_schema_date_valid("2024-13-01", 10));
	assert_false(node_schema_date_valid("2024-00-10", 10));
	assert_false(node_schema_date_valid("2024-04-31", 10));
	assert_true(node_schema_date_valid("2024-12-31", 10));
	assert_false(node_schema_date_valid("2024-12-32", 10));
	assert_false(node_schema_date_valid("2024-01-00", 10));
	assert_false(node_schema_date_valid("2024-1-1", 8));
	assert_false(node_schema_date_valid("2024/01/01", 10));
	assert_false(node_schema_date_valid("1899-12-31", 10));
	assert_false(node_schema_date_valid("2101-01-01", 10));
	assert_false(node_schema_date_valid("2024-01-011", 11));
	assert_false(node_schema_date_valid("+024-01-01", 10));

	assert_int_equal(check_str("followup", "date", "2024-02-29"), 0);
	assert_int_equal(check_str("followup", "date", "2023-02-29"), -EINVAL);
	assert_int_equal(check_str("followup", "date", "2024-13-01"), -EINVAL);
	assert_int_equal(check_str("followup", "date", "2024-1-1"), -EINVAL);
	assert_int_equal(check(field("followup", "date"), integer(20240101)),
			 -EINVAL);
	assert_parses("followup", "date", "2024-02-29", "2024-02-29");
	assert_parses("followup", "随访日期", " 2024-03-01\n", "2024-03-01");
	assert_rejects("followup", "date", "2024-1-1");
	assert_rejects("followup", "date", "20240101");
	assert_rejects("followup", "date", "2024/01/01");
	assert_rejects("patient", "birth_date", "2023-02-29");
	assert_string_equal(reason, "birth_date: '2023-02-29' is not a date "
				    "YYYY-MM-DD (years 1900-2100)");
}

static void test_med_line(void **state)
{
	(void)state;
	assert_parses("followup", "medication", " 利培酮 ; 2 ; 0 ; 2.0 ",
		      "利培酮;2;0;2");
	assert_parses("followup", "medication", "棕榈酸帕利哌酮;LAI;4;150",
		      "棕榈酸帕利哌酮;lai;4;150");
	assert_parses("followup", "medication", "棕榈酸帕利哌酮;Lai;4;150",
		      "棕榈酸帕利哌酮;lai;4;150");
	assert_parses("followup", "medication", "奥氮平;05;0;10.50",
		      "奥氮平;5;0;10.5");
	assert_parses("followup", "medication", "奥氮平;.5;00;0.250",
		      "奥氮平;0.5;0;0.25");
	assert_parses("followup", "medication", "碳酸锂；250；0；500",
		      "碳酸锂;250;0;500");
	assert_parses("followup", "medication", "氯氮平　;25;0;50",
		      "氯氮平;25;0;50");
	assert_parses("followup", "medication", "Risperidone Oral;1;0;1",
		      "Risperidone Oral;1;0;1");
	assert_parses("followup", "medication", "利培酮;2;0;2", "利培酮;2;0;2");

	assert_rejects("followup", "medication", "利培酮;2;0");
	assert_true(strstr(reason, "medication") != NULL);
	assert_true(strstr(reason, "利培酮;2;0") != NULL);
	assert_rejects("followup", "medication", "利培酮;2;0;2;2");
	assert_rejects("followup", "medication", ";2;0;2");
	assert_rejects("followup", "medication", " ;2;0;2");
	assert_rejects("followup", "medication", "利培酮;2.555;0;2");
	assert_true(strstr(reason, "2 decimals") != NULL);
	assert_rejects("followup", "medication", "利培酮;-1;0;2");
	assert_rejects("followup", "medication", "利培酮;2;;2");
	assert_rejects("followup", "medication", "利培酮;2;.;2");
	assert_rejects("followup", "medication", "利培酮;2;1.2.3;2");
	assert_rejects("followup", "medication", "利培酮;two;0;2");
	assert_rejects("followup", "medication", "利|培酮;2;0;2");
	assert_rejects("followup", "medication", "利培酮;2;0;123456");
	assert_rejects("followup", "medication", "棕榈酸帕利哌酮;lai;0;150");
	assert_rejects("followup", "medication", "棕榈酸帕利哌酮;lai;4;0");
	assert_rejects("followup", "medication", "棕榈酸帕利哌酮;lai;4");
	assert_rejects("followup", "medication", "利培酮");
	assert_rejects("followup", "medication", "");

	/* The check accepts the canonical form only. */
	static const char *const not_canonical[] = {
	    "利培酮;02;0;2",
	    "利培酮;2.0;0;2",
	    "利培酮;2.50;0;2",
	    "利培酮 ;2;0;2",
	    "利培酮; 2;0;2",
	    "利培酮;.5;0;2",
	    "利培酮;5.;0;2",
	    "x;LAI;4;150",
	    "x;lai;4.0;150",
	    "利培酮；2;0;2",
	    "x;lai;0;150",
	    "x;2;0;2;",
	    "x;2;0",
	    "　利培酮;2;0;2",
	    "利培酮;2;0;100000",
	    "利培酮;1;0;0.001",
	    "a\x01;1;0;1",
	    "a|b;1;0;1",
	};
	for (size_t i = 0; i < sizeof(not_canonical) / sizeof(not_canonical[0]);
	     i++)
		if (check_str("followup", "medication", not_canonical[i]) == 0)
			fail_msg("accepted '%s'", not_canonical[i]);
	static const char *const canonical[] = {
	    "利培酮;2;0;2",	    "x;lai;4;150", "x;0;0;0",
	    "x;0.25;12.5;99999.99", "lai;1;1;1",
	};
	for (size_t i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++)
		if (check_str("followup", "medication", canonical[i]) != 0)
			fail_msg("rejected '%s'", canonical[i]);
}

static void test_enum(void **state)
{
	(void)state;
	assert_parses("patient", "sex", "male", "male");
	assert_parses("patient", "sex", "男", "male");
	assert_parses("patient", "性别", " 女 ", "female");
	assert_parses("followup", "class", "不稳定", "unstable");
	assert_parses("followup", "class", "基本稳定", "basic");
	assert_parses("followup", "reached", "是", "yes");
	assert_parses("followup", "joint", "否", "no");
	assert_parses("patient", "diagnosis", "精神分裂症", "schizophrenia");
	assert_parses("patient", "special", "失联", "lost_contact");
	assert_parses("followup", "retracted", "yes", "yes");
	assert_rejects("followup", "retracted", "no");
	assert_rejects("patient", "sex", "Male");
	assert_rejects("patient", "sex", "男性");
	assert_rejects("patient", "sex", "m");
	assert_string_equal(reason, "sex: 'm' is not one of male, female");

	const struct node_field *sex = field("patient", "sex");
	assert_int_equal(check(sex, str("female")), 0);
	assert_int_equal(check(sex, str("女")), -EINVAL);
	assert_int_equal(check(sex, str("femalex")), -EINVAL);
	assert_int_equal(check(sex, integer(1)), -EINVAL);
	struct crdt_value partial = {
	    .kind = CRDT_VALUE_STR, .p = (const uint8_t *)"female", .len = 4};
	assert_int_equal(check(sex, partial), -EINVAL);
	char why[128];
	struct crdt_value m = str("m");
	assert_int_equal(node_schema_check(sex, &m, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "sex: 'm' is not one of male, female");
}

static void test_int(void **state)
{
	(void)state;
	assert_parses("followup", "risk", "3", "3");
	assert_parses("followup", "risk", " 0 ", "0");
	assert_parses("followup", "risk", "+5", "5");
	assert_rejects("followup", "risk", "6");
	assert_string_equal(reason,
			    "risk: 6 is not a whole number from 0 to 5");
	assert_rejects("followup", "risk", "-1");
	assert_rejects("followup", "risk", "3.5");
	assert_rejects("followup", "risk", "three");
	assert_true(strstr(reason, "risk: 'three'") != NULL);
	assert_rejects("followup", "risk", "-");
	assert_rejects("followup", "risk", "99999999999999999999");
	assert_parses("region", "population", "9223372036854775807",
		      "9223372036854775807");
	assert_rejects("region", "population", "9223372036854775808");
	assert_rejects("incident", "injured", "-9223372036854775808");
	assert_rejects("incident", "injured", "-9223372036854775809");
	assert_rejects("incident", "injured", "-2");
	assert_true(strstr(reason, "0 or more") != NULL);
	assert_parses("exam", "weight", "655", "655");
	assert_rejects("exam", "weight", "0");
	assert_true(strstr(reason, "0.1kg") != NULL);
	assert_parses("patient", "disability_grade", "4", "4");
	assert_rejects("patient", "disability_grade", "0");
	assert_rejects("patient", "disability_grade", "5");
	assert_parses("region", "year", "2024", "2024");
	assert_rejects("region", "year", "1899");
	assert_parses("policy", "stable_days", "90", "90");
	assert_rejects("policy", "stable_days", "0");
	assert_rejects("policy", "stable_days", "3651");

	const struct node_field *risk = field("assessment", "risk");
	assert_int_equal(check(risk, integer(5)), 0);
	assert_int_equal(check(risk, integer(6)), -EINVAL);
	assert_int_equal(check(risk, integer(INT64_MIN)), -EINVAL);
	assert_int_equal(check(risk, str("3")), -EINVAL);
}

static void test_ref(void **state)
{
	(void)state;
	const char *hex = "00112233445566778899aabbccddeeff";
	char text[64];
	assert_parses("followup", "patient", hex, hex);
	snprintf(text, sizeof(text), "patient-%s", hex);
	assert_parses("followup", "patient", text, hex);
	snprintf(text, sizeof(text), "PATIENT-%s", hex);
	assert_parses("followup", "patient", text, hex);
	assert_parses("followup", "patient", "00112233445566778899AABBCCDDEEFF",
		      hex);
	snprintf(text, sizeof(text), "guardian-%s", hex);
	assert_parses("agreement", "guardian", text, hex);
	assert_rejects("followup", "patient", text);
	assert_true(strstr(reason, "names a guardian record") != NULL);
	snprintf(text, sizeof(text), "nobody-%s", hex);
	assert_rejects("followup", "patient", text);
	assert_rejects("followup", "patient",
		       "00112233445566778899aabbccddeef");
	assert_rejects("followup", "patient",
		       "00112233445566778899aabbccddeeff0");
	assert_rejects("followup", "patient",
		       "00112233445566778899aabbccddeefg");
	assert_rejects("followup", "patient", "patient-");
	assert_rejects("followup", "patient", "0011");

	const struct node_field *f = field("assessment", "approved_by");
	uint8_t id[16] = {1};
	struct crdt_value v = {.kind = CRDT_VALUE_BIN, .p = id, .len = 16};
	assert_int_equal(check(f, v), 0);
	v.len = 15;
	assert_int_equal(check(f, v), -EINVAL);
	v.len = 32;
	assert_int_equal(check(f, v), -EINVAL);
	assert_int_equal(check(f, str(hex)), -EINVAL);
	char why[256];
	v.len = 15;
	assert_int_equal(node_schema_check(f, &v, why, sizeof(why)), -EINVAL);
	assert_true(strstr(why, "approved_by: a 15-byte bin") != NULL);
	assert_true(strstr(why, "meeting") != NULL);
}

static void test_scope(void **state)
{
	(void)state;
	assert_parses("transfer", "to_scope", "12", "12");
	assert_parses("transfer", "to_scope", "120116", "120116");
	assert_parses("transfer", "to_scope", "120000", "12");
	assert_parses("transfer", "to_scope", "120100", "1201");
	assert_parses("transfer", "to_scope", "120116001000", "120116001");
	assert_parses("transfer", "to_scope", "120116000000", "120116");
	assert_parses("transfer", "to_scope", "120116001002", "120116001002");
	assert_rejects("transfer", "to_scope", "000000");
	assert_rejects("transfer", "to_scope", "12011");
	assert_rejects("transfer", "to_scope", "1201a6");
	assert_rejects("transfer", "to_scope", "1201160010");
	assert_true(strstr(reason, "to_scope") != NULL);
	const struct node_field *f = field("transfer", "to_scope");
	assert_int_equal(check(f, str("120116001")), 0);
	assert_int_equal(check(f, str("120000")), -EINVAL);
	assert_int_equal(check(f, str("1200")), -EINVAL);
	assert_int_equal(check(f, str("1")), -EINVAL);
	assert_int_equal(check(f, integer(12)), -EINVAL);
}

static void test_nil_and_empty(void **state)
{
	(void)state;
	struct crdt_value nil = {.kind = CRDT_VALUE_NIL};
	for (size_t i = 0; i < node_schema_type_count(); i++) {
		const struct node_type *t = node_schema_type_at(i);
		for (size_t j = 0; j < t->n_fields; j++) {
			const struct node_field *f = &t->fields[j];
			char why[256];
			int rc = node_schema_check(f, &nil, why, sizeof(why));
			assert_int_equal(rc, f->is_set ? -EINVAL : 0);
			struct crdt_value b = {.kind = CRDT_VALUE_BOOL,
					       .b = true};
			assert_int_equal(
			    node_schema_check(f, &b, why, sizeof(why)),
			    -EINVAL);
			assert_true(strncmp(why, f->name, strlen(f->name)) ==
				    0);
			if (f->kind != NODE_FIELD_INT &&
			    f->kind != NODE_FIELD_REF)
				assert_int_equal(check(f, str("")), -EINVAL);
			if (!f->is_set)
				assert_parses(t->name, f->name, "", "nil");
		}
	}
	assert_parses("patient", "name", "  \t ", "nil");
	assert_parses("patient", "name", "　", "nil");
	assert_rejects("followup", "visitors", "");
	assert_true(strstr(reason, "visitors") != NULL);
	assert_rejects("followup", "medication", "  ");
	assert_parses("followup", "risk", "", "nil");
	assert_parses("followup", "patient", "", "nil");
}

static void test_text(void **state)
{
	(void)state;
	assert_parses("patient", "name", " 张三 ", "张三");
	assert_parses("meeting", "decisions", "第一条\n第二条\t完",
		      "第一条\n第二条\t完");
	assert_parses("followup", "visitors", "王医生", "王医生");
	assert_rejects("patient", "name", "张\x01三");
	assert_true(strstr(reason, "control") != NULL);
	assert_rejects("patient", "name", "\xff\xfe");
	assert_true(strstr(reason, "UTF-8") != NULL);
	assert_rejects("patient", "name", "\xed\xa0\x80"); /* a surrogate */
	assert_rejects("patient", "name", "\xc0\xaf");	   /* overlong '/' */
	const struct node_field *name = field("patient", "name");
	assert_int_equal(check(name, str("张三")), 0);
	assert_int_equal(check(name, str("a\x7f")), -EINVAL);
	/* A character cut by the value's end is invalid, whatever follows. */
	struct crdt_value cut = str("张三");
	cut.len = 4;
	assert_int_equal(check(name, cut), -EINVAL);
	assert_int_equal(check(name, integer(1)), -EINVAL);
	static char big[CRDT_MAX_STR_BYTES + 2];
	memset(big, 'a', sizeof(big) - 1);
	assert_rejects("patient", "name", big);
	assert_true(strstr(reason, "4096") != NULL);
	big[CRDT_MAX_STR_BYTES] = '\0';
	assert_int_equal(parse("patient", "name", big), 0);
	assert_int_equal(strlen(parsed), CRDT_MAX_STR_BYTES);
	/* A quoted value is cut short, never the reason's field name. */
	big[CRDT_MAX_STR_BYTES] = 'a';
	assert_int_equal(check(name, str(big)), -EINVAL);
}

static void test_reasons(void **state)
{
	(void)state;
	const struct node_field *sex = field("patient", "sex");
	struct crdt_value m = str("m");
	/* why may be NULL or tiny; the result is the same. */
	assert_int_equal(node_schema_check(sex, &m, NULL, 0), -EINVAL);
	char tiny[5];
	assert_int_equal(node_schema_check(sex, &m, tiny, sizeof(tiny)),
			 -EINVAL);
	assert_string_equal(tiny, "sex:");
	/* Long values are quoted in part, at a character boundary. */
	char why[512];
	struct crdt_value long_zh =
	    str("精神分裂症精神分裂症精神分裂症精神分裂症"
		"精神分裂症精神分裂症");
	assert_int_equal(node_schema_check(sex, &long_zh, why, sizeof(why)),
			 -EINVAL);
	assert_true(strstr(why, "...'") != NULL);
	assert_true(strstr(why, "sex: '精神分裂症") == why);
	/* 60 bytes at most: 'a' and 19 three-byte characters, not a 20th. */
	struct crdt_value offset = str("a精神分裂症精神分裂症精神分裂症精神分裂"
				       "症精神分裂症");
	assert_int_equal(node_schema_check(sex, &offset, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "sex: 'a精神分裂症精神分裂症精神分裂症精神分裂"
				 "...' is not one of male, female");
	/* Unprintable bytes are never echoed. */
	struct crdt_value ctl = str("a\x1b[2Jb");
	assert_int_equal(node_schema_check(sex, &ctl, why, sizeof(why)),
			 -EINVAL);
	assert_null(strchr(why, '\x1b'));
	/* A value that does not fit the caller's buffer is refused. */
	uint8_t buf[4];
	struct crdt_value v = {.kind = CRDT_VALUE_BOOL};
	assert_int_equal(node_schema_parse(field("patient", "name"), "张三", &v,
					   buf, sizeof(buf), why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(v.kind, CRDT_VALUE_BOOL);
	assert_int_equal(node_schema_parse(field("followup", "patient"),
					   "00112233445566778899aabbccddeeff",
					   &v, buf, sizeof(buf), why,
					   sizeof(why)),
			 -EINVAL);
	assert_int_equal(v.kind, CRDT_VALUE_BOOL);
	assert_int_equal(node_schema_parse(field("patient", "sex"), "男", &v,
					   buf, sizeof(buf), NULL, 0),
			 0);
	assert_int_equal(v.kind, CRDT_VALUE_STR);
	assert_int_equal(v.len, 4);
	assert_memory_equal(v.p, "male", 4);
}

/* Reasons in Chinese for a zh request: the field, the value and the codes
 * as typed, an enum's codes with their labels, the details translated;
 * without the flag the English is the same as node_schema_check's. */
static void test_reasons_zh(void **state)
{
	(void)state;
	char why[1024], en[1024];
	struct crdt_value m = str("m"), v;
	uint8_t buf[CRDT_MAX_STR_BYTES + 16];
	const struct node_field *sex = field("patient", "sex");
	assert_int_equal(
	    node_schema_check_lang(sex, &m, true, why, sizeof(why)), -EINVAL);
	assert_string_equal(why,
			    "字段 sex 的值 'm' 无效，应为以下之一：male（男）"
			    "、female（女）");
	assert_int_equal(
	    node_schema_check_lang(sex, &m, false, why, sizeof(why)), -EINVAL);
	assert_int_equal(node_schema_check(sex, &m, en, sizeof(en)), -EINVAL);
	assert_string_equal(why, en);
	assert_int_equal(node_schema_parse_lang(field("patient", "id_number"),
						"110101199003071234", &v, buf,
						sizeof(buf), true, why,
						sizeof(why)),
			 -EINVAL);
	assert_string_equal(why,
			    "字段 id_number 的值 '110101199003071234' 无效，"
			    "应为有效的 18 位居民身份证号码；校验码不对"
			    "（是否输错了某一位？）");
	assert_int_equal(node_schema_parse_lang(
			     field("patient", "birth_date"), "1990-02-30", &v,
			     buf, sizeof(buf), false, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "birth_date: '1990-02-30' is not a date "
				 "YYYY-MM-DD (years 1900-2100)");
	/* Every field's zh reason fits what the handlers give it (512). */
	for (size_t i = 0; i < node_schema_type_count(); i++) {
		const struct node_type *t = node_schema_type_at(i);
		for (size_t k = 0; k < t->n_fields; k++) {
			struct crdt_value bad = str("?");
			if (t->fields[k].kind == NODE_FIELD_TEXT)
				continue;
			(void)node_schema_check_lang(&t->fields[k], &bad, true,
						     why, sizeof(why));
			assert_true(strlen(why) < 480);
		}
	}
}

/* Random bytes through check and parse of every field: no crash, no
 * overrun (run under ASan), and whatever parse accepts, check accepts. */
static void test_random_inputs(void **state)
{
	(void)state;
	unsigned seed = 20240229u;
	const char *env = getenv("WARD_SEED");
	if (env != NULL)
		seed = (unsigned)strtoul(env, NULL, 10);
	print_message("seed %u\n", seed);
	srand(seed);
	static const char alphabet[] = "0123456789;. -xXlaiLAI|\xe3\x80\x80"
				       "\xef\xbc\x9b\xe7\x94\xb7"
				       "ab\n\x01";
	uint8_t buf[64];
	char text[48];
	char why[256];
	for (int round = 0; round < 20000; round++) {
		size_t ti = (size_t)rand() % node_schema_type_count();
		const struct node_type *t = node_schema_type_at(ti);
		const struct node_field *f =
		    &t->fields[(size_t)rand() % t->n_fields];
		size_t n = (size_t)rand() % (sizeof(text) - 1);
		for (size_t i = 0; i < n; i++)
			text[i] = rand() % 4 == 0
				      ? (char)(rand() % 255 + 1)
				      : alphabet[(size_t)rand() %
						 (sizeof(alphabet) - 1)];
		text[n] = '\0';
		struct crdt_value v = {.kind = CRDT_VALUE_STR,
				       .p = (const uint8_t *)text,
				       .len = n};
		(void)node_schema_check(f, &v, why, sizeof(why));
		v.kind = CRDT_VALUE_BIN;
		(void)node_schema_check(f, &v, why, sizeof(why));
		size_t cap = (size_t)rand() % sizeof(buf);
		if (node_schema_parse(f, text, &v, buf, cap, why,
				      sizeof(why)) == 0) {
			if (v.kind == CRDT_VALUE_STR ||
			    v.kind == CRDT_VALUE_BIN)
				assert_true(v.p == buf && v.len <= cap);
			if (node_schema_check(f, &v, why, sizeof(why)) != 0)
				fail_msg("seed %u: %s.%s parsed '%s' but check "
					 "says %s",
					 seed, t->name, f->name, text, why);
		}
	}
}

/* A verdict kept as a reason, stored and read back, renders in either
 * language: the field's allowed values and the detail included (the
 * findings of stored entries are shown this way). */
static void test_reason_stored_renders_in_both(void **state)
{
	(void)state;
	const struct node_type *t = node_schema_type("patient", 7);
	const struct node_field *sex = node_schema_field(t, "sex", 3);
	const struct node_field *idn = node_schema_field(t, "id_number", 9);
	struct crdt_value v = {.kind = CRDT_VALUE_STR,
			       .p = (const uint8_t *)"m", .len = 1};
	struct node_reason r, back;
	assert_int_equal(node_schema_check_reason(sex, &v, &r), -EINVAL);
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_finding_encode(&r, &b);
	assert_int_equal(node_finding_decode(b.data, b.len, &back), 0);
	crdt_buf_fini(&b);
	char en[512], zh[512];
	node_schema_reason_text(&back, NODE_LANG_EN, en, sizeof(en));
	node_schema_reason_text(&back, NODE_LANG_ZH, zh, sizeof(zh));
	assert_non_null(strstr(en, "sex: 'm' is not"));
	assert_non_null(strstr(en, "male, female"));
	assert_non_null(strstr(zh, "male（男）"));
	/* the same text as the checks that render at once */
	char direct[512];
	node_schema_check_lang(sex, &v, true, direct, sizeof(direct));
	assert_string_equal(zh, direct);
	/* a detail renders in the reader's language */
	v.p = (const uint8_t *)"110101199003070021"; /* the check is X */
	v.len = 18;
	assert_int_equal(node_schema_check_reason(idn, &v, &r), -EINVAL);
	crdt_buf_init(&b);
	node_finding_encode(&r, &b);
	assert_int_equal(node_finding_decode(b.data, b.len, &back), 0);
	crdt_buf_fini(&b);
	node_schema_reason_text(&back, NODE_LANG_EN, en, sizeof(en));
	node_schema_reason_text(&back, NODE_LANG_ZH, zh, sizeof(zh));
	assert_non_null(strstr(en, "check character is wrong"));
	assert_non_null(strstr(zh, "校验码不对"));
	/* a store written before reasons were codes: its text as it is */
	const char old[] = "role police may not write patient.diagnosis";
	assert_int_equal(node_finding_decode((const uint8_t *)old,
					     strlen(old), &back),
			 0);
	node_schema_reason_text(&back, NODE_LANG_ZH, zh, sizeof(zh));
	assert_string_equal(zh, old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_domain_coverage),
	    cmocka_unit_test(test_reason_stored_renders_in_both),
	    cmocka_unit_test(test_table_consistent),
	    cmocka_unit_test(test_references_write_once),
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_create_matrix),
	    cmocka_unit_test(test_write_matrix),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_sealed_fields),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_units_and_tags),
	    cmocka_unit_test(test_id_number),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_med_line),
	    cmocka_unit_test(test_enum),
	    cmocka_unit_test(test_int),
	    cmocka_unit_test(test_ref),
	    cmocka_unit_test(test_scope),
	    cmocka_unit_test(test_nil_and_empty),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_reasons_zh),
	    cmocka_unit_test(test_random_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
