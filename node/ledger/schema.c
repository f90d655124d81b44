/*
 * schema.c: the record schema of DOMAIN.md section 2 as one constant table,
 * and the value checks and input parsing it drives.
 *
 * Schema as data: a record type is a row (name, label, creators, fields),
 * a field is a row (kind, allowed values, unit, sensitivity, writers), and
 * no code is written per type. What the table says is part of every
 * node's validity verdict on signed ops (DESIGN.md section 4: a bad value
 * or a wrong role leaves an op stored without effect), so two nodes with
 * the same NODE_SCHEMA_VERSION must hold byte-identical tables, and the
 * checks below must be exact and total: canonical forms only, because set
 * identity is byte equality and a value is signed forever. Parsing is the
 * forgiving side: it accepts what an operator naturally types and
 * normalises it to the one form the check accepts.
 *
 * Where DOMAIN.md does not spell a detail out, the table's choice is noted
 * beside it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node/catalog/catalog.h"
#include "node/ledger/schema.h"
#include "crdt/seal.h"

/* ---------------------------------------------------------------------- */
/* Roles.                                                                  */

static const char *const role_names[NODE_ROLE_COUNT] = {
    "health", "township", "police", "civil", "disabled", "legal", "auditor",
};

static const char *const role_labels_zh[NODE_ROLE_COUNT] = {
    "卫生健康", "乡镇街道", "公安", "民政", "残联", "政法委", "审计督查",
};

static bool text_equal(const char *s, size_t len, const char *z)
{
	return strlen(z) == len && memcmp(s, z, len) == 0;
}

int node_role_parse(const char *s, size_t len, enum node_role *out)
{
	for (int r = 0; r < NODE_ROLE_COUNT; r++) {
		if (text_equal(s, len, role_names[r])) {
			*out = (enum node_role)r;
			return 0;
		}
	}
	return -EINVAL;
}

const char *node_role_name(enum node_role r)
{
	if ((unsigned)r >= NODE_ROLE_COUNT)
		return "?";
	return role_names[r];
}

const char *node_role_label_zh(enum node_role r)
{
	if ((unsigned)r >= NODE_ROLE_COUNT)
		return "?";
	return role_labels_zh[r];
}

/* ---------------------------------------------------------------------- */
/* Enumerations: codes and their Chinese labels, in the national order.    */

#define ENUMERATION(id, ...)                                                   \
	static const char *const id##_codes[] = {__VA_ARGS__, NULL}
#define LABELS(id, ...) static const char *const id##_zh[] = {__VA_ARGS__, NULL}

ENUMERATION(yes_no, "yes", "no");
LABELS(yes_no, "是", "否");
ENUMERATION(yes_only, "yes");
LABELS(yes_only, "是");
ENUMERATION(sex, "male", "female");
LABELS(sex, "男", "女");
ENUMERATION(household, "urban", "rural");
LABELS(household, "城镇", "农村");
ENUMERATION(patient_status, "registered", "exited");
LABELS(patient_status, "在册", "已退出管理");
ENUMERATION(exit_reason, "died", "moved_out", "lost", "refused", "other");
LABELS(exit_reason, "死亡", "迁出", "失访", "拒绝管理", "其他");
ENUMERATION(diagnosis, "schizophrenia", "schizoaffective", "delusional",
	    "bipolar", "epilepsy_psychosis",
	    "intellectual_disability_psychosis", "other");
LABELS(diagnosis, "精神分裂症", "分裂情感性障碍",
       "持久的妄想性障碍（偏执性精神病）", "双相情感障碍", "癫痫所致精神障碍",
       "精神发育迟滞伴发精神障碍", "其他");
ENUMERATION(consent, "agreed", "refused");
LABELS(consent, "同意", "不同意");
ENUMERATION(special, "not_managed", "floating", "weak_guardianship",
	    "no_guardianship", "lost_contact");
LABELS(special, "失管", "流动", "弱监护", "无监护", "失联");
ENUMERATION(benefits, "minimum_living", "extreme_poverty", "temporary_relief",
	    "guardianship_subsidy", "disability_card", "family_doctor",
	    "community_rehab");
LABELS(benefits, "低保", "特困供养", "临时救助", "监护补贴", "残疾证",
       "家庭医生签约", "社区康复");
ENUMERATION(economy, "poor", "not_poor", "unknown");
LABELS(economy, "贫困", "非贫困", "不详");
ENUMERATION(relation, "spouse", "parent", "child", "sibling", "other_relative",
	    "unit", "other");
LABELS(relation, "配偶", "父母", "子女", "兄弟姐妹", "其他亲属", "单位",
       "其他");
ENUMERATION(strength, "normal", "weak", "none");
LABELS(strength, "正常", "弱", "无");
ENUMERATION(mode, "clinic", "home", "phone");
LABELS(mode, "门诊", "家庭访视", "电话");
ENUMERATION(lost_reason, "migrant_work", "moved", "missing", "three_misses",
	    "other");
LABELS(lost_reason, "外出打工", "迁居他处", "走失", "连续3次未到访", "其他");
ENUMERATION(class, "unstable", "basic", "stable");
LABELS(class, "不稳定", "基本稳定", "稳定");
ENUMERATION(insight, "full", "partial", "none");
LABELS(insight, "完全", "不全", "缺失");
ENUMERATION(good_fair_poor, "good", "fair", "poor");
LABELS(good_fair_poor, "良好", "一般", "较差");
ENUMERATION(function, "good", "fair", "poor", "na");
LABELS(function, "良好", "一般", "较差", "不适用");
ENUMERATION(locked, "never", "locked", "released");
LABELS(locked, "无关锁", "关锁", "关锁已解除");
ENUMERATION(hospital, "no", "now", "before");
LABELS(hospital, "从未住院", "目前正在住院", "既往住院");
ENUMERATION(adherence, "regular", "intermittent", "none", "not_needed");
LABELS(adherence, "规律", "间断", "不服药", "医嘱无需服药");
ENUMERATION(effect, "cured", "improved", "unchanged", "worse");
LABELS(effect, "痊愈", "好转", "无变化", "加重");
ENUMERATION(assessment_source, "followup", "meeting", "emergency", "hospital");
LABELS(assessment_source, "随访", "例会", "应急处置", "医院");
ENUMERATION(incident_kind, "nuisance", "trouble", "disaster", "self_harm",
	    "suicide_attempt");
LABELS(incident_kind, "轻度滋事", "肇事", "肇祸", "自伤", "自杀未遂");
ENUMERATION(incident_reasons, "relapse", "danger_to_others", "self_harm",
	    "drug_reaction");
LABELS(incident_reasons, "病情复发", "危害他人安全", "自伤", "药物不良反应");
ENUMERATION(incident_measures, "on_site", "observation", "emergency_admission",
	    "consultation");
LABELS(incident_measures, "现场处置", "留院观察", "应急住院", "会诊");
ENUMERATION(search_trigger, "three_misses", "missing", "moved", "other");
LABELS(search_trigger, "连续3次未随访到", "走失", "迁居", "其他");
ENUMERATION(search_outcome, "found", "moved_away", "died", "open");
LABELS(search_outcome, "已找到", "已迁走", "死亡", "查找中");
ENUMERATION(agreement_kind, "guardianship_reward", "free_med_consent",
	    "commitment", "management_consent");
LABELS(agreement_kind, "以奖代补", "免费服药知情同意", "承诺书",
       "管理知情同意");
ENUMERATION(agreement_status, "active", "ended", "withdrawn");
LABELS(agreement_status, "有效", "已终止", "已撤回");
ENUMERATION(free_med_source, "health", "disabled");
LABELS(free_med_source, "卫生健康", "残联");
ENUMERATION(transfer_status, "open", "accepted", "refused");
LABELS(transfer_status, "待接收", "已接收", "已拒收");

/* ---------------------------------------------------------------------- */
/* The table.                                                              */

#define ROLE(r) NODE_ROLE_BIT(NODE_ROLE_##r)
#define HEALTH ROLE(HEALTH)
#define TOWNSHIP ROLE(TOWNSHIP)
#define POLICE ROLE(POLICE)
#define CIVIL ROLE(CIVIL)
#define DISABLED ROLE(DISABLED)
#define LEGAL ROLE(LEGAL)

#define FIELD(n, l, k) .name = n, .label_zh = l, .kind = NODE_FIELD_##k
#define VALUES(id) .enums = id##_codes, .enum_labels_zh = id##_zh
#define RANGE(lo, hi) .min = (lo), .max = (hi)
#define COUNT .min = 0, .max = INT64_MAX
#define REF_TO(t) .ref_type = t, .write_once = true
#define SET .is_set = true
#define SENS(c) .sensitivity = (c)
#define H SENS(NODE_SENS_CLINICAL)
#define ID SENS(NODE_SENS_IDENTIFIER)
#define RISK SENS(NODE_SENS_RISK)
#define MONEY SENS(NODE_SENS_FINANCE)
#define WRITERS(w) .writers = (w)
#define V1_WRITERS(w) .writers_v1 = (w)
#define INDEXED .indexed = true
#define REQUIRED .required = true

/* Every type: retraction, by the roles that may create the type. */
#define RETRACT_FIELDS(w)                                                      \
	{FIELD("retracted", "已撤销", ENUM), VALUES(yes_only), WRITERS(w)},    \
	{                                                                      \
		FIELD("retract_reason", "撤销原因", TEXT), WRITERS(w)          \
	}

/* patient: township writes the fields DOMAIN.md marks t, health all. */
#define PT (HEALTH | TOWNSHIP)
/* transferred_from is not marked t, but township may create transfers and
 * patients, and accepting a transfer is creating the patient record with
 * this link, so township writes it too (ward's reading). */
static const struct node_field patient_fields[] = {
    {FIELD("name", "姓名", TEXT), ID, WRITERS(PT), REQUIRED},
    {FIELD("id_number", "身份证号", ID_NUMBER), ID, WRITERS(PT), INDEXED},
    {FIELD("sex", "性别", ENUM), VALUES(sex), WRITERS(PT)},
    {FIELD("birth_date", "出生日期", DATE), WRITERS(PT)},
    {FIELD("phone", "联系电话", TEXT), ID, WRITERS(PT)},
    {FIELD("address", "现住址", TEXT), ID, WRITERS(PT)},
    {FIELD("household", "户别", ENUM), VALUES(household), WRITERS(PT)},
    {FIELD("patient_no", "患者编号", TEXT), WRITERS(PT), INDEXED},
    {FIELD("registered_on", "建档日期", DATE), WRITERS(PT), INDEXED},
    {FIELD("status", "管理状态", ENUM), VALUES(patient_status), WRITERS(PT),
     INDEXED},
    {FIELD("exit_reason", "退出原因", ENUM), VALUES(exit_reason), WRITERS(PT)},
    {FIELD("exit_date", "退出日期", DATE), WRITERS(PT)},
    {FIELD("death_cause", "死亡原因", TEXT), H, WRITERS(HEALTH)},
    {FIELD("transferred_from", "转自", REF), REF_TO("patient"), WRITERS(PT),
     INDEXED},
    {FIELD("diagnosis", "诊断", ENUM), VALUES(diagnosis), H, WRITERS(HEALTH)},
    {FIELD("diagnosed_on", "确诊日期", DATE), H, WRITERS(HEALTH)},
    {FIELD("diagnosing_hospital", "确诊医院", TEXT), H, WRITERS(HEALTH)},
    {FIELD("onset_on", "初次发病日期", DATE), H, WRITERS(HEALTH)},
    {FIELD("consent", "知情同意", ENUM), VALUES(consent), WRITERS(HEALTH)},
    {FIELD("consent_on", "知情同意日期", DATE), WRITERS(HEALTH)},
    {FIELD("special", "特殊情形", ENUM), VALUES(special), SET, RISK,
     WRITERS(TOWNSHIP | HEALTH | POLICE), INDEXED},
    {FIELD("benefits", "救助帮扶", ENUM), VALUES(benefits), SET, MONEY,
     WRITERS(CIVIL | DISABLED | TOWNSHIP | HEALTH)},
    {FIELD("disability_grade", "残疾等级", INT), RANGE(1, 4), MONEY,
     WRITERS(DISABLED | HEALTH)},
    {FIELD("employment", "就业情况", TEXT), WRITERS(HEALTH)},
    {FIELD("economy", "经济状况", ENUM), VALUES(economy), MONEY,
     WRITERS(HEALTH)},
    RETRACT_FIELDS(PT),
};

#define GU (TOWNSHIP | CIVIL | HEALTH)
static const struct node_field guardian_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(GU), INDEXED,
     REQUIRED},
    {FIELD("name", "姓名", TEXT), ID, WRITERS(GU), REQUIRED},
    {FIELD("id_number", "身份证号", ID_NUMBER), ID, WRITERS(GU), INDEXED},
    {FIELD("relation", "与患者关系", ENUM), VALUES(relation), WRITERS(GU)},
    {FIELD("phone", "联系电话", TEXT), ID, WRITERS(GU)},
    {FIELD("address", "住址", TEXT), ID, WRITERS(GU)},
    {FIELD("strength", "监护能力", ENUM), VALUES(strength), WRITERS(GU)},
    {FIELD("since", "监护起始日期", DATE), WRITERS(GU)},
    {FIELD("until", "监护终止日期", DATE), WRITERS(GU)},
    RETRACT_FIELDS(GU),
};

/* followup: township and police write the whole record of a joint visit
 * but its clinical (H) fields, which are health's alone from schema version
 * 2 on (DOMAIN.md section 5; version 1 let them write those too).
 * H on clinical detail is ward's reading; class, risk, reached, mode,
 * adherence and hospital stay unsealed because due lists and rates need
 * them on every node. */
#define FU (HEALTH | TOWNSHIP | POLICE)
static const struct node_field followup_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(FU), INDEXED,
     REQUIRED},
    {FIELD("date", "随访日期", DATE), WRITERS(FU), INDEXED, REQUIRED},
    {FIELD("mode", "随访方式", ENUM), VALUES(mode), WRITERS(FU)},
    {FIELD("reached", "是否随访到", ENUM), VALUES(yes_no), WRITERS(FU)},
    {FIELD("lost_reason", "失访原因", ENUM), VALUES(lost_reason), WRITERS(FU)},
    {FIELD("risk", "危险性", INT), RANGE(0, 5), RISK, WRITERS(FU), INDEXED},
    {FIELD("class", "病情分类", ENUM), VALUES(class), WRITERS(FU), INDEXED},
    {FIELD("insight", "自知力", ENUM), VALUES(insight), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("sleep", "睡眠情况", ENUM), VALUES(good_fair_poor), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("diet", "饮食情况", ENUM), VALUES(good_fair_poor), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("self_care", "个人生活料理", ENUM), VALUES(function), H,
     WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("housework", "家务劳动", ENUM), VALUES(function), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("work", "生产劳动及工作", ENUM), VALUES(function), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("learning", "学习能力", ENUM), VALUES(function), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("social", "社会人际交往", ENUM), VALUES(function), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("acts_nuisance", "轻度滋事", INT), COUNT, RISK, WRITERS(FU)},
    {FIELD("acts_trouble", "肇事", INT), COUNT, RISK, WRITERS(FU)},
    {FIELD("acts_disaster", "肇祸", INT), COUNT, RISK, WRITERS(FU)},
    {FIELD("acts_other", "其他危害行为", INT), COUNT, RISK, WRITERS(FU)},
    {FIELD("acts_self_harm", "自伤", INT), COUNT, RISK, WRITERS(FU)},
    {FIELD("acts_suicide_attempt", "自杀未遂", INT), COUNT, RISK, WRITERS(FU)},
    {FIELD("locked", "关锁情况", ENUM), VALUES(locked), RISK, WRITERS(FU)},
    {FIELD("hospital", "住院情况", ENUM), VALUES(hospital), WRITERS(FU)},
    {FIELD("last_discharge", "末次出院日期", DATE), WRITERS(FU)},
    {FIELD("adherence", "服药依从性", ENUM), VALUES(adherence), WRITERS(FU)},
    {FIELD("side_effects", "药物不良反应", TEXT), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("effect", "治疗效果", ENUM), VALUES(effect), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("referral", "是否转诊", ENUM), VALUES(yes_no), WRITERS(FU)},
    {FIELD("referral_reason", "转诊原因", TEXT), H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("referral_to", "转诊至", TEXT), WRITERS(FU)},
    {FIELD("medication", "用药情况", MED_LINE), SET, H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("rehab", "康复措施", TEXT), SET, H, WRITERS(HEALTH), V1_WRITERS(FU)},
    {FIELD("next_visit", "下次随访日期", DATE), WRITERS(FU)},
    {FIELD("visitors", "随访人员", TEXT), SET, WRITERS(FU)},
    {FIELD("joint", "联合随访", ENUM), VALUES(yes_no), WRITERS(FU)},
    RETRACT_FIELDS(FU),
};

/* assessment: "health; township meetings may propose". ward reads that as
 * township creating assessments (source meeting, approved_by the meeting)
 * besides health. */
#define AS (HEALTH | TOWNSHIP)
static const struct node_field assessment_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(AS), INDEXED,
     REQUIRED},
    {FIELD("date", "评估日期", DATE), WRITERS(AS), INDEXED, REQUIRED},
    {FIELD("risk", "危险性评估等级", INT), RANGE(0, 5), RISK, WRITERS(AS),
     INDEXED, REQUIRED},
    {FIELD("previous_risk", "原危险性评估等级", INT), RANGE(0, 5), RISK,
     WRITERS(AS)},
    {FIELD("source", "评估来源", ENUM), VALUES(assessment_source), WRITERS(AS)},
    {FIELD("reason", "评估理由", TEXT), RISK, WRITERS(AS)},
    {FIELD("approved_by", "批准例会", REF), REF_TO("meeting"), WRITERS(AS)},
    RETRACT_FIELDS(AS),
};

static const struct node_field hospitalization_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(HEALTH), INDEXED,
     REQUIRED},
    {FIELD("hospital", "住院医院", TEXT), H, WRITERS(HEALTH)},
    {FIELD("admitted", "入院日期", DATE), WRITERS(HEALTH), INDEXED, REQUIRED},
    {FIELD("discharged", "出院日期", DATE), WRITERS(HEALTH)},
    {FIELD("involuntary", "非自愿住院", ENUM), VALUES(yes_no), H,
     WRITERS(HEALTH)},
    {FIELD("reason", "住院原因", TEXT), H, WRITERS(HEALTH)},
    {FIELD("outcome", "住院结局", TEXT), H, WRITERS(HEALTH)},
    RETRACT_FIELDS(HEALTH),
};

/* incident: the patient is optional (the person may not be registered). */
#define IN (POLICE | HEALTH | LEGAL)
static const struct node_field incident_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(IN), INDEXED},
    {FIELD("date", "发生日期", DATE), WRITERS(IN), INDEXED, REQUIRED},
    {FIELD("place", "发生地点", TEXT), WRITERS(IN)},
    {FIELD("kind", "事件类别", ENUM), VALUES(incident_kind), RISK, WRITERS(IN),
     INDEXED},
    {FIELD("reasons", "处置原因", ENUM), VALUES(incident_reasons), SET, RISK,
     WRITERS(IN)},
    {FIELD("measures", "处置措施", ENUM), VALUES(incident_measures), SET, RISK,
     WRITERS(IN)},
    {FIELD("police_unit", "处置公安机关", TEXT), WRITERS(IN)},
    {FIELD("injured", "受伤人数", INT), COUNT, RISK, WRITERS(IN)},
    {FIELD("dead", "死亡人数", INT), COUNT, RISK, WRITERS(IN)},
    {FIELD("loss_yuan", "经济损失", INT), COUNT, .unit = "yuan", MONEY,
     WRITERS(IN)},
    {FIELD("notes", "情况说明", TEXT), H, WRITERS(IN)},
    RETRACT_FIELDS(IN),
};

#define SE (POLICE | TOWNSHIP | CIVIL)
static const struct node_field search_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(SE), INDEXED,
     REQUIRED},
    {FIELD("declared_on", "失联日期", DATE), WRITERS(SE), INDEXED, REQUIRED},
    {FIELD("trigger", "失联情形", ENUM), VALUES(search_trigger), WRITERS(SE)},
    {FIELD("station", "责任派出所", TEXT), WRITERS(SE)},
    {FIELD("officer", "责任民警", TEXT), WRITERS(SE)},
    {FIELD("actions", "查找措施", TEXT), SET, WRITERS(SE)},
    {FIELD("found_on", "找到日期", DATE), WRITERS(SE)},
    {FIELD("found_at", "找到地点", TEXT), WRITERS(SE)},
    {FIELD("outcome", "查找结果", ENUM), VALUES(search_outcome), WRITERS(SE),
     INDEXED},
    RETRACT_FIELDS(SE),
};

#define AG (TOWNSHIP | LEGAL | HEALTH | CIVIL)
static const struct node_field agreement_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(AG), INDEXED,
     REQUIRED},
    {FIELD("guardian", "监护人", REF), REF_TO("guardian"), WRITERS(AG),
     INDEXED},
    {FIELD("kind", "协议类别", ENUM), VALUES(agreement_kind), WRITERS(AG),
     INDEXED, REQUIRED},
    {FIELD("signed_on", "签订日期", DATE), WRITERS(AG), INDEXED},
    {FIELD("period_from", "有效期起", DATE), WRITERS(AG)},
    {FIELD("period_to", "有效期止", DATE), WRITERS(AG)},
    {FIELD("amount_yuan", "金额", INT), COUNT, .unit = "yuan", MONEY,
     WRITERS(AG)},
    {FIELD("status", "协议状态", ENUM), VALUES(agreement_status), WRITERS(AG),
     INDEXED},
    RETRACT_FIELDS(AG),
};

#define FM (HEALTH | DISABLED)
static const struct node_field free_med_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(FM), INDEXED,
     REQUIRED},
    {FIELD("from", "起始日期", DATE), WRITERS(FM), INDEXED, REQUIRED},
    {FIELD("to", "终止日期", DATE), WRITERS(FM)},
    {FIELD("source", "经费来源", ENUM), VALUES(free_med_source), MONEY,
     WRITERS(FM)},
    {FIELD("consent_agreement", "知情同意协议", REF), REF_TO("agreement"),
     WRITERS(FM)},
    RETRACT_FIELDS(FM),
};

/* transfer and transfer_accept: DOMAIN.md names no creators for the accept
 * record; the receiving region's health or township office makes it, as it
 * makes the new patient record. */
#define TR (HEALTH | TOWNSHIP)
static const struct node_field transfer_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(TR), INDEXED,
     REQUIRED},
    {FIELD("to_scope", "转入辖区", SCOPE), WRITERS(TR), INDEXED, REQUIRED},
    {FIELD("out_on", "转出日期", DATE), WRITERS(TR)},
    {FIELD("letter_on", "转移函日期", DATE), WRITERS(TR)},
    {FIELD("status", "转移状态", ENUM), VALUES(transfer_status), WRITERS(TR),
     INDEXED},
    {FIELD("refused_reason", "拒收原因", TEXT), WRITERS(TR)},
    RETRACT_FIELDS(TR),
};

static const struct node_field transfer_accept_fields[] = {
    {FIELD("transfer", "转移记录", REF), REF_TO("transfer"), WRITERS(TR),
     INDEXED, REQUIRED},
    {FIELD("accepted_on", "接收日期", DATE), WRITERS(TR), REQUIRED},
    RETRACT_FIELDS(TR),
};

static const struct node_field care_group_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(TOWNSHIP),
     INDEXED, REQUIRED},
    {FIELD("members", "小组成员", TEXT), SET, WRITERS(TOWNSHIP)},
    {FIELD("leader", "组长", TEXT), WRITERS(TOWNSHIP)},
    RETRACT_FIELDS(TOWNSHIP),
};

#define ME (TOWNSHIP | LEGAL)
static const struct node_field meeting_fields[] = {
    {FIELD("date", "会议日期", DATE), WRITERS(ME), INDEXED, REQUIRED},
    {FIELD("attendees", "参会人员", TEXT), SET, WRITERS(ME)},
    {FIELD("decisions", "会议决定", TEXT), WRITERS(ME)},
    RETRACT_FIELDS(ME),
};

/* exam: every finding is clinical (ward's reading). Ranges only reject
 * what no living person measures. */
static const struct node_field exam_fields[] = {
    {FIELD("patient", "患者", REF), REF_TO("patient"), WRITERS(HEALTH), INDEXED,
     REQUIRED},
    {FIELD("date", "体检日期", DATE), WRITERS(HEALTH), INDEXED, REQUIRED},
    {FIELD("bp_sys", "收缩压", INT), RANGE(1, 400), .unit = "mmHg", H,
     WRITERS(HEALTH)},
    {FIELD("bp_dia", "舒张压", INT), RANGE(1, 300), .unit = "mmHg", H,
     WRITERS(HEALTH)},
    {FIELD("weight", "体重", INT), RANGE(1, 5000), .unit = "0.1kg", H,
     WRITERS(HEALTH)},
    {FIELD("blood", "血常规", TEXT), H, WRITERS(HEALTH)},
    {FIELD("alt", "谷丙转氨酶", TEXT), H, WRITERS(HEALTH)},
    {FIELD("glucose", "血糖", TEXT), H, WRITERS(HEALTH)},
    {FIELD("ecg", "心电图", TEXT), H, WRITERS(HEALTH)},
    {FIELD("consent", "知情同意", ENUM), VALUES(consent), WRITERS(HEALTH)},
    RETRACT_FIELDS(HEALTH),
};

static const struct node_field region_fields[] = {
    {FIELD("name", "辖区名称", TEXT), WRITERS(HEALTH)},
    {FIELD("population", "常住人口", INT), COUNT, WRITERS(HEALTH), REQUIRED},
    {FIELD("year", "年份", INT), RANGE(1900, 2100), WRITERS(HEALTH), INDEXED,
     REQUIRED},
    RETRACT_FIELDS(HEALTH),
};

#define PO (HEALTH | TOWNSHIP)
static const struct node_field policy_fields[] = {
    {FIELD("unstable_days", "不稳定患者随访间隔", INT), RANGE(1, 3650),
     .unit = "days", WRITERS(PO)},
    {FIELD("basic_days", "基本稳定患者随访间隔", INT), RANGE(1, 3650),
     .unit = "days", WRITERS(PO)},
    {FIELD("stable_days", "稳定患者随访间隔", INT), RANGE(1, 3650),
     .unit = "days", WRITERS(PO)},
    {FIELD("max_gap_days", "最长随访间隔", INT), RANGE(1, 3650), .unit = "days",
     WRITERS(PO)},
    {FIELD("first_visit_days", "首次随访期限", INT), RANGE(1, 3650),
     .unit = "days", WRITERS(PO)},
    RETRACT_FIELDS(PO),
};

/* key: ward's own record announcing a group key (DESIGN.md section 8).
 * Any role but the auditor creates one; who of them may is the ledger's
 * rule (a member of the group, sealing.h), not the schema's. roles and
 * key_id are set once, in the create entry; envelopes grow as members
 * join. Its home scope is the group's scope. */
#define KW (HEALTH | TOWNSHIP | POLICE | CIVIL | DISABLED | LEGAL)
static const struct node_field key_fields[] = {
    {FIELD("roles", "读者角色", ROLES), WRITERS(KW), .write_once = true,
     REQUIRED},
    {FIELD("key_id", "密钥编号", KEY_ID), WRITERS(KW), .write_once = true,
     REQUIRED},
    {FIELD("envelopes", "密钥信封", ENVELOPE), SET, WRITERS(KW)},
    RETRACT_FIELDS(KW),
};

static const struct node_type key_type = {
    .name = "key",
    .label_zh = "密钥",
    .creators = KW,
    .fields = key_fields,
    .n_fields = sizeof(key_fields) / sizeof(key_fields[0]),
    .internal = true,
};

#define TYPE(n, l, c, f, p)                                                    \
	{                                                                      \
		.name = n, .label_zh = l, .creators = (c), .fields = f,        \
		.n_fields = sizeof(f) / sizeof((f)[0]), .patient_field = p     \
	}

static const struct node_type types[] = {
    TYPE("patient", "患者", PT, patient_fields, NULL),
    TYPE("guardian", "监护人", GU, guardian_fields, "patient"),
    TYPE("followup", "随访", FU, followup_fields, "patient"),
    TYPE("assessment", "危险性评估", AS, assessment_fields, "patient"),
    TYPE("hospitalization", "住院", HEALTH, hospitalization_fields, "patient"),
    TYPE("incident", "肇事肇祸", IN, incident_fields, "patient"),
    TYPE("search", "失联查找", SE, search_fields, "patient"),
    TYPE("agreement", "协议", AG, agreement_fields, "patient"),
    TYPE("free_med", "免费服药", FM, free_med_fields, "patient"),
    TYPE("transfer", "转移", TR, transfer_fields, "patient"),
    TYPE("transfer_accept", "转移接收", TR, transfer_accept_fields, NULL),
    TYPE("care_group", "关爱帮扶小组", TOWNSHIP, care_group_fields, "patient"),
    TYPE("meeting", "例会", ME, meeting_fields, NULL),
    TYPE("exam", "体检", HEALTH, exam_fields, "patient"),
    TYPE("region", "辖区", HEALTH, region_fields, NULL),
    TYPE("policy", "随访规则", PO, policy_fields, NULL),
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

const struct node_type *node_schema_type(const char *name, size_t len)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (text_equal(name, len, types[i].name))
			return &types[i];
	if (text_equal(name, len, key_type.name))
		return &key_type;
	return NULL;
}

const struct node_type *node_schema_type_find(const char *text, size_t len)
{
	const struct node_type *t = node_schema_type(text, len);
	if (t && t->internal)
		t = NULL; /* ward's own: never typed */
	for (size_t i = 0; i < N_TYPES && t == NULL; i++)
		if (text_equal(text, len, types[i].label_zh))
			t = &types[i];
	return t;
}

const struct node_type *node_schema_type_at(size_t i)
{
	return i < N_TYPES ? &types[i] : NULL;
}

size_t node_schema_type_count(void)
{
	return N_TYPES;
}

const struct node_field *node_schema_field(const struct node_type *t,
					   const char *name, size_t len)
{
	for (size_t i = 0; i < t->n_fields; i++)
		if (text_equal(name, len, t->fields[i].name))
			return &t->fields[i];
	for (size_t i = 0; i < t->n_fields; i++)
		if (text_equal(name, len, t->fields[i].label_zh))
			return &t->fields[i];
	return NULL;
}

bool node_schema_may_create(const struct node_type *t, enum node_role r)
{
	return (unsigned)r < NODE_ROLE_COUNT &&
	       (t->creators & NODE_ROLE_BIT(r)) != 0;
}

bool node_schema_may_write_at(const struct node_field *f, enum node_role r,
			      uint64_t sv)
{
	unsigned w = sv < 2 && f->writers_v1 ? f->writers_v1 : f->writers;
	return (unsigned)r < NODE_ROLE_COUNT && (w & NODE_ROLE_BIT(r)) != 0;
}

bool node_schema_may_write(const struct node_field *f, enum node_role r)
{
	return node_schema_may_write_at(f, r, NODE_SCHEMA_VERSION);
}

/* ---------------------------------------------------------------------- */
/* Sealing.                                                                */

bool node_schema_sealed(const struct node_field *f, uint64_t sv)
{
	return sv >= NODE_SCHEMA_SEALED &&
	       (f->sensitivity == NODE_SENS_CLINICAL ||
		f->sensitivity == NODE_SENS_IDENTIFIER);
}

unsigned node_schema_readers(const struct node_field *f)
{
	if (f->sensitivity == NODE_SENS_IDENTIFIER)
		return (1u << NODE_ROLE_COUNT) - 1;
	if (f->sensitivity == NODE_SENS_CLINICAL)
		return f->writers | NODE_ROLE_BIT(NODE_ROLE_HEALTH) |
		       NODE_ROLE_BIT(NODE_ROLE_AUDITOR);
	return 0;
}

/* Role codes in byte order: the order of a roles value. */
static const enum node_role roles_sorted[NODE_ROLE_COUNT] = {
    NODE_ROLE_AUDITOR, NODE_ROLE_CIVIL,	 NODE_ROLE_DISABLED,
    NODE_ROLE_HEALTH,  NODE_ROLE_LEGAL,	 NODE_ROLE_POLICE,
    NODE_ROLE_TOWNSHIP,
};

size_t node_schema_roles_text(unsigned mask, char *out, size_t len)
{
	size_t o = 0;
	if (len)
		out[0] = '\0';
	for (int i = 0; i < NODE_ROLE_COUNT; i++) {
		if (!(mask & NODE_ROLE_BIT(roles_sorted[i])))
			continue;
		const char *c = role_names[roles_sorted[i]];
		size_t need = strlen(c) + (o ? 1 : 0);
		if (o + need >= len)
			break;
		if (o)
			out[o++] = ',';
		memcpy(out + o, c, strlen(c));
		o += strlen(c);
		out[o] = '\0';
	}
	return o;
}

int node_schema_roles_parse(const char *s, size_t len, unsigned *mask)
{
	unsigned m = 0;
	int last = -1;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != ',')
			j++;
		int found = -1;
		for (int k = 0; k < NODE_ROLE_COUNT; k++)
			if (text_equal(s + i, j - i, role_names[roles_sorted[k]]))
				found = k;
		if (found <= last)
			return -EINVAL; /* unknown, repeated or out of order */
		last = found;
		m |= NODE_ROLE_BIT(roles_sorted[found]);
		if (j == len)
			break;
		i = j + 1;
		if (i == len)
			return -EINVAL; /* a trailing ',' */
	}
	if (!m)
		return -EINVAL;
	*mask = m;
	return 0;
}

/* Units of INT fields, codes and their Chinese labels. */
static const char *const unit_labels[][2] = {
    {"days", "天"},
    {"yuan", "元"},
    {"mmHg", "毫米汞柱"},
    {"0.1kg", "0.1 千克"},
};

const char *node_schema_unit_label_zh(const char *unit)
{
	for (size_t i = 0; unit && i < sizeof(unit_labels) / sizeof(*unit_labels);
	     i++)
		if (!strcmp(unit, unit_labels[i][0]))
			return unit_labels[i][1];
	return unit;
}

const char *node_schema_enum_label_zh(const struct node_field *f,
				      const char *code, size_t len)
{
	if (f->kind != NODE_FIELD_ENUM)
		return NULL;
	for (size_t i = 0; f->enums[i] != NULL; i++)
		if (text_equal(code, len, f->enums[i]))
			return f->enum_labels_zh[i];
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Reasons. Every failure names the field, the value and what is allowed.  */


#define QUOTE_MAX_BYTES 60u

#define QUOTE_MAX_BYTES 60u
#define QUOTE_BUF 96u

/* Records a reason (catalog.h) in *why, when there is one, and fails;
 * FAIL checks the arguments against the English text. */
static int fail(struct node_reason *why, enum node_msg id, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

static int fail(struct node_reason *why, enum node_msg id, const char *fmt,
		...)
{
	if (why != NULL) {
		va_list ap;
		va_start(ap, fmt);
		node_reason_vmake(why, id, ap);
		va_end(ap);
	}
	return -EINVAL;
}

#define FAIL(why, id, ...) fail((why), (id), id##_EN, __VA_ARGS__)

/* Length of the UTF-8 sequence at s[0..len), or 0 when it is not a valid
 * one (overlong forms, surrogates and code points past U+10FFFF are not). */
static size_t utf8_seq(const uint8_t *s, size_t len)
{
	uint32_t c = s[0];
	size_t n;
	uint32_t min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

static bool utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_seq(s + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* A value as the operator would recognise it, for a reason: text in quotes
 * (cut at a character boundary, anything unprintable shown as '?'). */
static void quote(char out[QUOTE_BUF], const struct crdt_value *v)
{
	switch (v->kind) {
	case CRDT_VALUE_NIL:
		snprintf(out, QUOTE_BUF, "nil");
		return;
	case CRDT_VALUE_BOOL:
		snprintf(out, QUOTE_BUF, "%s", v->b ? "true" : "false");
		return;
	case CRDT_VALUE_INT:
		snprintf(out, QUOTE_BUF, "%lld", (long long)v->i);
		return;
	case CRDT_VALUE_BIN:
		snprintf(out, QUOTE_BUF, "a %zu-byte bin", v->len);
		return;
	case CRDT_VALUE_STR:
		break;
	}
	size_t o = 0, i = 0;
	out[o++] = '\'';
	while (i < v->len && i < QUOTE_MAX_BYTES) {
		size_t n = utf8_seq(v->p + i, v->len - i);
		if (n == 0 || (n == 1 && (v->p[i] < 0x20 || v->p[i] == 0x7f))) {
			out[o++] = '?';
			i++;
			continue;
		}
		if (i + n > QUOTE_MAX_BYTES)
			break;
		memcpy(out + o, v->p + i, n);
		o += n;
		i += n;
	}
	if (i < v->len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

static void quote_text(char out[QUOTE_BUF], const char *s, size_t len)
{
	struct crdt_value v = {
	    .kind = CRDT_VALUE_STR, .p = (const uint8_t *)s, .len = len};
	quote(out, &v);
}

/* What a field allows, to follow "is not". */
static void allowed(const struct node_field *f, bool zh, char *out,
		    size_t out_len);

/* A reason's argument naming field f, whose allowed values render in the
 * reader's language (node_schema_reason_text): "\x02type.field". */
static const char *allowed_arg(const struct node_field *f, char *out,
			       size_t out_len)
{
	const char *type = "";
	for (size_t i = 0; i < N_TYPES && !*type; i++)
		for (size_t j = 0; j < types[i].n_fields; j++)
			if (&types[i].fields[j] == f)
				type = types[i].name;
	snprintf(out, out_len, NODE_REASON_FIELD_MARK "%s.%s", type, f->name);
	return out;
}

static void render_field_arg(const struct node_reason_arg *a,
			     enum node_lang lang, char *out, size_t len)
{
	const char *dot = strchr(a->s, '.');
	const struct node_type *t =
	    dot ? node_schema_type(a->s, (size_t)(dot - a->s)) : NULL;
	const struct node_field *f =
	    t ? node_schema_field(t, dot + 1, strlen(dot + 1)) : NULL;
	if (!f && dot) /* a field every type has (retracted, ...) */
		f = node_schema_field(node_schema_type_at(0), dot + 1,
				      strlen(dot + 1));
	if (f)
		allowed(f, lang == NODE_LANG_ZH, out, len);
	else
		snprintf(out, len, "%s", a->s);
}

char *node_schema_reason_text(const struct node_reason *r,
			      enum node_lang lang, char *out, size_t len)
{
	return node_reason_text_fn(r, lang, render_field_arg, out, len);
}

static void allowed(const struct node_field *f, bool zh, char *out,
		    size_t out_len)
{
	size_t o = 0;
	switch (f->kind) {
	case NODE_FIELD_TEXT:
		snprintf(out, out_len,
			 MSGZ(zh, MSG_TEXT_UTF_8_WITHOUT_CONTROL));
		return;
	case NODE_FIELD_DATE:
		snprintf(out, out_len,
			 MSGZ(zh, MSG_DATE_YYYY_MM_DD_YEARS));
		return;
	case NODE_FIELD_ENUM:
		/* Under zh each code with its label: either may be typed. */
		o = (size_t)snprintf(out, out_len,
				     MSGZ(zh, MSG_ONE));
		for (size_t i = 0; f->enums[i] != NULL && o < out_len; i++) {
			if (zh)
				o += (size_t)snprintf(
				    out + o, out_len - o, "%s%s（%s）",
				    i ? "、" : "", f->enums[i],
				    f->enum_labels_zh[i]);
			else
				o += (size_t)snprintf(out + o, out_len - o,
						      "%s%s", i ? ", " : "",
						      f->enums[i]);
		}
		return;
	case NODE_FIELD_INT:
		if (f->max == INT64_MAX)
			o = (size_t)snprintf(out, out_len,
					     MSGZ(zh, MSG_WHOLE_NUMBER_MORE),
					     (long long)f->min);
		else
			o = (size_t)snprintf(
			    out, out_len,
			    MSGZ(zh, MSG_WHOLE_NUMBER_FROM),
			    (long long)f->min, (long long)f->max);
		if (f->unit != NULL && o < out_len)
			snprintf(out + o, out_len - o,
				 MSGZ(zh, MSG_IN),
				 zh ? node_schema_unit_label_zh(f->unit) : f->unit);
		return;
	case NODE_FIELD_REF:
		snprintf(out, out_len,
			 MSGZ(zh, MSG_ID_32_HEX_DIGITS_16),
			 f->ref_type, f->ref_type);
		return;
	case NODE_FIELD_ID_NUMBER:
		snprintf(out, out_len,
			 MSGZ(zh, MSG_N18_CHARACTER_RESIDENT_ID_NUMBER));
		return;
	case NODE_FIELD_MED_LINE:
		snprintf(out, out_len,
			 MSGZ(zh, MSG_MEDICATION_LINE_DRUG_MORNING_MG));
		return;
	case NODE_FIELD_SCOPE:
		snprintf(out, out_len,
			 MSGZ(zh, MSG_REGION_CODE_2_4_6));
		return;
	case NODE_FIELD_ROLES:
		snprintf(out, out_len, MSGZ(zh, MSG_ALLOWED_ROLES));
		return;
	case NODE_FIELD_KEY_ID:
		snprintf(out, out_len, MSGZ(zh, MSG_ALLOWED_KEY_ID));
		return;
	case NODE_FIELD_ENVELOPE:
		snprintf(out, out_len, MSGZ(zh, MSG_ALLOWED_ENVELOPE));
		return;
	}
	snprintf(out, out_len, "?");
}

/* "field: VALUE is not ALLOWED" with an optional detail after a colon. */
static int fail_value(const struct node_field *f, const struct crdt_value *v,
		      enum node_msg detail, struct node_reason *why)
{
	char q[QUOTE_BUF];
	char a[96];
	quote(q, v);
	allowed_arg(f, a, sizeof(a));
	if (detail != MSG_NONE)
		return FAIL(why, MSG_NOT_3, f->name, q, a,
			    NODE_REASON_ID(detail));
	return FAIL(why, MSG_NOT_2, f->name, q, a);
}

/* ---------------------------------------------------------------------- */
/* Forms.                                                                  */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

static int digits_value(const char *s, size_t len)
{
	int v = 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool ymd_valid(int y, int m, int d)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int dim = days[m - 1] + (m == 2 && leap ? 1 : 0);
	return d <= dim;
}

bool node_schema_date_valid(const char *s, size_t len)
{
	if (len != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) ||
	    !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
		return false;
	return ymd_valid(digits_value(s, 4), digits_value(s + 5, 2),
			 digits_value(s + 8, 2));
}

#define ID_NUMBER_LEN 18u

/* Why s is no resident ID number, or NULL when it is one. */
static enum node_msg id_number_problem(const char *s, size_t len)
{
	static const int weight[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
				       3, 7, 9,	 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	if (len != ID_NUMBER_LEN || !all_digits(s, 17) ||
	    !(is_digit(s[17]) || s[17] == 'X'))
		return MSG_DETAIL_ID_17_DIGITS;
	if (!ymd_valid(digits_value(s + 6, 4), digits_value(s + 10, 2),
		       digits_value(s + 12, 2)))
		return MSG_DETAIL_ID_BIRTH_DATE;
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * weight[i];
	if (check[sum % 11] != s[17])
		return MSG_DETAIL_ID_CHECK_CHAR;
	return MSG_NONE;
}

bool node_schema_id_number_valid(const char *s, size_t len)
{
	return id_number_problem(s, len) == MSG_NONE;
}

static const size_t scope_levels[] = {2, 4, 6, 9, 12};
#define N_SCOPE_LEVELS (sizeof(scope_levels) / sizeof(scope_levels[0]))

/* The same rule as crdt_scope_valid (kept here so the schema needs no ward
 * source but the header): 2, 4, 6, 9 or 12 digits whose last level group
 * is not all zeros (that would be the padded form of a shorter code). */
static bool scope_canonical(const char *s, size_t len)
{
	size_t level = 0;
	while (level < N_SCOPE_LEVELS && scope_levels[level] != len)
		level++;
	if (level == N_SCOPE_LEVELS || !all_digits(s, len))
		return false;
	for (size_t i = level ? scope_levels[level - 1] : 0; i < len; i++)
		if (s[i] != '0')
			return true;
	return false;
}

/* Medication lines. A number is canonical when it has no leading zero
 * (but "0" itself), at most 5 integer digits, and an optional fraction of
 * one or two digits that does not end in 0: 0, 2, 12.5, 0.25. */
#define MED_INT_DIGITS 5u
#define MED_FRAC_DIGITS 2u

static bool number_canonical(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && is_digit(s[i]))
		i++;
	if (i == 0 || i > MED_INT_DIGITS || (s[0] == '0' && i > 1))
		return false;
	if (i == len)
		return true;
	if (s[i] != '.')
		return false;
	size_t frac = len - i - 1;
	if (frac == 0 || frac > MED_FRAC_DIGITS || !all_digits(s + i + 1, frac))
		return false;
	return s[len - 1] != '0';
}

static bool is_space_at(const char *s, size_t len, size_t i, size_t *n)
{
	unsigned char c = (unsigned char)s[i];
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f') {
		*n = 1;
		return true;
	}
	/* U+3000 IDEOGRAPHIC SPACE, what a Chinese input method types. */
	if (len - i >= 3 && memcmp(s + i, "\xe3\x80\x80", 3) == 0) {
		*n = 3;
		return true;
	}
	return false;
}

static bool starts_with_space(const char *s, size_t len)
{
	size_t n;
	return len > 0 && is_space_at(s, len, 0, &n);
}

static bool ends_with_space(const char *s, size_t len)
{
	size_t n;
	if (len == 0)
		return false;
	if (is_space_at(s, len, len - 1, &n))
		return true;
	return len >= 3 && is_space_at(s, len, len - 3, &n) && n == 3;
}

static void trim(const char **s, size_t *len)
{
	size_t n;
	while (*len > 0 && is_space_at(*s, *len, 0, &n)) {
		*s += n;
		*len -= n;
	}
	while (*len > 0) {
		if (is_space_at(*s, *len, *len - 1, &n) && n == 1)
			*len -= 1;
		else if (*len >= 3 && is_space_at(*s, *len, *len - 3, &n) &&
			 n == 3)
			*len -= 3;
		else
			break;
	}
}

#define FULLWIDTH_SEMICOLON "\xef\xbc\x9b" /* U+FF1B '；' */
#define MED_PARTS 4

/* Splits s at ';' into exactly MED_PARTS parts; false for any other count. */
static bool split_parts(const char *s, size_t len, const char *part[MED_PARTS],
			size_t part_len[MED_PARTS])
{
	size_t k = 0, from = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ';')
			continue;
		if (k == MED_PARTS)
			return false;
		part[k] = s + from;
		part_len[k] = i - from;
		k++;
		from = i + 1;
	}
	return k == MED_PARTS;
}

static bool is_zero(const char *s, size_t len)
{
	return len == 1 && s[0] == '0';
}

/* Why s is no canonical medication line, or NULL when it is one. */
static enum node_msg med_line_problem(const char *s, size_t len)
{
	const char *part[MED_PARTS];
	size_t part_len[MED_PARTS];
	if (!split_parts(s, len, part, part_len))
		return MSG_DETAIL_MED_4_PARTS;
	if (part_len[0] == 0)
		return MSG_DETAIL_MED_DRUG_EMPTY;
	for (int k = 0; k < MED_PARTS; k++)
		if (starts_with_space(part[k], part_len[k]) ||
		    ends_with_space(part[k], part_len[k]))
			return MSG_DETAIL_MED_PART_SPACES;
	if (memchr(part[0], '|', part_len[0]) != NULL)
		return MSG_DETAIL_MED_DRUG_BAR;
	for (size_t i = 0; i + 3 <= part_len[0]; i++)
		if (memcmp(part[0] + i, FULLWIDTH_SEMICOLON, 3) == 0)
			return MSG_DETAIL_MED_DRUG_FULLWIDTH;
	bool lai = part_len[1] == 3 && memcmp(part[1], "lai", 3) == 0;
	for (int k = lai ? 2 : 1; k < MED_PARTS; k++)
		if (!number_canonical(part[k], part_len[k]))
			return MSG_DETAIL_MED_NUMBERS_CANONICAL;
	if (lai &&
	    (is_zero(part[2], part_len[2]) || is_zero(part[3], part_len[3])))
		return MSG_DETAIL_MED_LAI;
	return MSG_NONE;
}

/* Text: what every str value must be besides its kind's form. */
static enum node_msg text_problem(const uint8_t *s, size_t len)
{
	if (len > CRDT_MAX_STR_BYTES)
		return MSG_DETAIL_TEXT_TOO_LONG;
	if (!utf8_valid(s, len))
		return MSG_DETAIL_TEXT_UTF8;
	for (size_t i = 0; i < len; i++)
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n') ||
		    s[i] == 0x7f)
			return MSG_DETAIL_TEXT_CONTROL;
	return MSG_NONE;
}

static bool enum_has(const struct node_field *f, const uint8_t *s, size_t len)
{
	for (size_t i = 0; f->enums[i] != NULL; i++)
		if (text_equal((const char *)s, len, f->enums[i]))
			return true;
	return false;
}

static bool kind_is_str(enum node_field_kind k)
{
	return k != NODE_FIELD_INT && k != NODE_FIELD_REF &&
	       k != NODE_FIELD_KEY_ID && k != NODE_FIELD_ENVELOPE;
}

int node_schema_check_reason(const struct node_field *f,
			     const struct crdt_value *v,
			     struct node_reason *why)
{
	if (v->kind == CRDT_VALUE_NIL) {
		if (f->is_set)
			return FAIL(why, MSG_NIL_NOT_SET_ELEMENT, f->name);
		return 0;
	}
	if (kind_is_str(f->kind)) {
		if (v->kind != CRDT_VALUE_STR)
			return fail_value(f, v, MSG_NONE, why);
		if (v->len == 0)
			return FAIL(why, MSG_EMPTY_STRING_NOT_VALUE_NIL, f->name);
		enum node_msg p = text_problem(v->p, v->len);
		if (p != MSG_NONE)
			return fail_value(f, v, p, why);
	}
	const char *s = (const char *)v->p;
	switch (f->kind) {
	case NODE_FIELD_TEXT:
		return 0;
	case NODE_FIELD_DATE:
		if (!node_schema_date_valid(s, v->len))
			return fail_value(f, v, MSG_NONE, why);
		return 0;
	case NODE_FIELD_ENUM:
		if (!enum_has(f, v->p, v->len))
			return fail_value(f, v, MSG_NONE, why);
		return 0;
	case NODE_FIELD_INT:
		if (v->kind != CRDT_VALUE_INT || v->i < f->min || v->i > f->max)
			return fail_value(f, v, MSG_NONE, why);
		return 0;
	case NODE_FIELD_REF:
		if (v->kind != CRDT_VALUE_BIN || v->len != CRDT_ENTITY_BYTES)
			return fail_value(f, v, MSG_NONE, why);
		return 0;
	case NODE_FIELD_ID_NUMBER: {
		enum node_msg p = id_number_problem(s, v->len);
		if (p != MSG_NONE)
			return fail_value(f, v, p, why);
		return 0;
	}
	case NODE_FIELD_MED_LINE: {
		enum node_msg p = med_line_problem(s, v->len);
		if (p != MSG_NONE)
			return fail_value(f, v, p, why);
		return 0;
	}
	case NODE_FIELD_SCOPE:
		if (!scope_canonical(s, v->len))
			return fail_value(f, v, MSG_NONE, why);
		return 0;
	case NODE_FIELD_ROLES: {
		unsigned mask;
		if (node_schema_roles_parse(s, v->len, &mask) != 0)
			return fail_value(f, v, MSG_NONE, why);
		return 0;
	}
	case NODE_FIELD_KEY_ID:
		if (v->kind != CRDT_VALUE_BIN ||
		    v->len != CRDT_SEAL_KEY_ID_BYTES)
			return fail_value(f, v, MSG_NONE, why);
		return 0;
	case NODE_FIELD_ENVELOPE: {
		const uint8_t *to;
		if (v->kind != CRDT_VALUE_BIN ||
		    crdt_seal_envelope_parse(v->p, v->len, &to) != 0)
			return fail_value(f, v, MSG_NONE, why);
		return 0;
	}
	}
	return FAIL(why, MSG_UNKNOWN_FIELD_KIND, f->name);
}

/* ---------------------------------------------------------------------- */
/* Parsing what an operator typed.                                         */

/* Output into the caller's buffer; overflow is remembered, not written. */
struct out {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static void put(struct out *o, const void *p, size_t len)
{
	if (o->overflow || len > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, p, len);
	o->len += len;
}

/* A number as typed ("02", "2.0", ".5", "0.250") in canonical form. */
static enum node_msg put_number(struct out *o, const char *s, size_t len)
{
	size_t dot = len;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && dot == len)
			dot = i;
		else if (!is_digit(s[i]))
			return MSG_DETAIL_MED_NUMBERS;
	}
	size_t ib = 0, ie = dot;
	size_t fb = dot < len ? dot + 1 : len, fe = len;
	if (ie - ib + fe - fb == 0)
		return MSG_DETAIL_MED_MISSING;
	while (ib < ie && s[ib] == '0')
		ib++;
	while (fe > fb && s[fe - 1] == '0')
		fe--;
	if (ie - ib > MED_INT_DIGITS)
		return MSG_DETAIL_MED_INT_DIGITS;
	if (fe - fb > MED_FRAC_DIGITS)
		return MSG_DETAIL_MED_DECIMALS;
	if (ib == ie)
		put(o, "0", 1);
	else
		put(o, s + ib, ie - ib);
	if (fe > fb) {
		put(o, ".", 1);
		put(o, s + fb, fe - fb);
	}
	return MSG_NONE;
}

static bool equal_fold(const char *s, size_t len, const char *lower)
{
	if (strlen(lower) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lower[i])
			return false;
	}
	return true;
}

/* Normalises a medication line as typed into o. The separators are ';' or
 * the full-width '；' a Chinese input method gives. */
static enum node_msg put_med_line(struct out *o, const char *s, size_t len)
{
	const char *part[MED_PARTS];
	size_t part_len[MED_PARTS];
	size_t k = 0, from = 0;
	for (size_t i = 0; i <= len;) {
		size_t sep = 0;
		if (i == len || s[i] == ';')
			sep = 1;
		else if (len - i >= 3 &&
			 memcmp(s + i, FULLWIDTH_SEMICOLON, 3) == 0)
			sep = 3;
		if (sep == 0) {
			i++;
			continue;
		}
		if (k == MED_PARTS)
			return MSG_DETAIL_MED_4_PARTS;
		part[k] = s + from;
		part_len[k] = i - from;
		trim(&part[k], &part_len[k]);
		k++;
		i += sep;
		from = i;
	}
	if (k != MED_PARTS)
		return MSG_DETAIL_MED_4_PARTS;
	put(o, part[0], part_len[0]);
	bool lai = equal_fold(part[1], part_len[1], "lai");
	for (size_t j = 1; j < MED_PARTS; j++) {
		put(o, ";", 1);
		if (j == 1 && lai) {
			put(o, "lai", 3);
			continue;
		}
		enum node_msg p = put_number(o, part[j], part_len[j]);
		if (p != MSG_NONE)
			return p;
	}
	return MSG_NONE;
}

/* A region code as typed, padded forms ("120000") cut to the canonical
 * one ("12"). */
static void put_scope(struct out *o, const char *s, size_t len)
{
	if (all_digits(s, len)) {
		for (size_t level = N_SCOPE_LEVELS - 1; level > 0; level--) {
			size_t from = scope_levels[level - 1];
			if (len != scope_levels[level])
				continue;
			bool zeros = true;
			for (size_t i = from; i < len; i++)
				zeros = zeros && s[i] == '0';
			if (zeros)
				len = from;
		}
	}
	put(o, s, len);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_ref(const struct node_field *f, const char *s, size_t len,
		     struct crdt_value *v, uint8_t *buf, size_t buf_len,
		     struct node_reason *why)
{
	char q[QUOTE_BUF];
	char a[96];
	quote_text(q, s, len);
	allowed_arg(f, a, sizeof(a));
	const char *dash = memchr(s, '-', len);
	const char *hex = s;
	size_t hex_len = len;
	if (dash != NULL) {
		size_t tl = (size_t)(dash - s);
		hex = dash + 1;
		hex_len = len - tl - 1;
		if (!equal_fold(s, tl, f->ref_type)) {
			const struct node_type *t = NULL;
			for (size_t i = 0; i < N_TYPES && t == NULL; i++)
				if (equal_fold(s, tl, types[i].name))
					t = &types[i];
			if (t != NULL)
				return FAIL(why, MSG_NAMES_RECORD_NOT, f->name, q, t->name, f->ref_type);
			return FAIL(why, MSG_NOT_2, f->name, q, a);
		}
	}
	if (hex_len != 2 * CRDT_ENTITY_BYTES)
		return FAIL(why, MSG_NOT_2, f->name, q, a);
	if (buf_len < CRDT_ENTITY_BYTES)
		return FAIL(why, MSG_NO_ROOM_VALUE, f->name);
	uint8_t id[CRDT_ENTITY_BYTES];
	for (size_t i = 0; i < CRDT_ENTITY_BYTES; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return FAIL(why, MSG_NOT_2, f->name, q, a);
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(buf, id, sizeof(id));
	*v = (struct crdt_value){
	    .kind = CRDT_VALUE_BIN, .p = buf, .len = CRDT_ENTITY_BYTES};
	return 0;
}

static int parse_int(const struct node_field *f, const char *s, size_t len,
		     struct crdt_value *v, struct node_reason *why)
{
	size_t i = 0;
	bool neg = false;
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	bool ok = i < len;
	uint64_t mag = 0;
	/* The limit on the magnitude: INT64_MAX, or one more when negative. */
	uint64_t limit = (uint64_t)INT64_MAX + (neg ? 1u : 0u);
	for (; ok && i < len; i++) {
		if (!is_digit(s[i])) {
			ok = false;
			break;
		}
		uint64_t d = (uint64_t)(s[i] - '0');
		if (mag > (limit - d) / 10) {
			ok = false;
			break;
		}
		mag = mag * 10 + d;
	}
	if (!ok) {
		char q[QUOTE_BUF];
		char a[96];
		quote_text(q, s, len);
		allowed_arg(f, a, sizeof(a));
		return FAIL(why, MSG_NOT_2, f->name, q, a);
	}
	struct crdt_value out = {.kind = CRDT_VALUE_INT};
	if (neg)
		out.i =
		    mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
	else
		out.i = (int64_t)mag;
	int rc = node_schema_check_reason(f, &out, why);
	if (rc == 0)
		*v = out;
	return rc;
}

int node_schema_parse_reason(const struct node_field *f, const char *text,
			     struct crdt_value *v, uint8_t *buf,
			     size_t buf_len, struct node_reason *why)
{
	const char *s = text;
	size_t len = strlen(text);
	trim(&s, &len);
	if (len == 0) {
		if (f->is_set)
			return FAIL(why, MSG_EMPTY_ELEMENT_NOT_VALUE, f->name);
		*v = (struct crdt_value){.kind = CRDT_VALUE_NIL};
		return 0;
	}
	if (f->kind == NODE_FIELD_INT)
		return parse_int(f, s, len, v, why);
	if (f->kind == NODE_FIELD_REF)
		return parse_ref(f, s, len, v, buf, buf_len, why);

	struct out o = {.p = buf, .cap = buf_len};
	enum node_msg problem = MSG_NONE;
	switch (f->kind) {
	case NODE_FIELD_ENUM: {
		const char *code = NULL;
		for (size_t i = 0; f->enums[i] != NULL && code == NULL; i++)
			if (text_equal(s, len, f->enums[i]) ||
			    text_equal(s, len, f->enum_labels_zh[i]))
				code = f->enums[i];
		if (code == NULL)
			put(&o, s, len);
		else
			put(&o, code, strlen(code));
		break;
	}
	case NODE_FIELD_MED_LINE:
		problem = put_med_line(&o, s, len);
		break;
	case NODE_FIELD_SCOPE:
		put_scope(&o, s, len);
		break;
	case NODE_FIELD_ID_NUMBER:
		put(&o, s, len);
		if (!o.overflow && len == ID_NUMBER_LEN && buf[len - 1] == 'x')
			buf[len - 1] = 'X';
		break;
	default:
		put(&o, s, len);
		break;
	}
	if (problem != MSG_NONE) {
		char q[QUOTE_BUF];
		char a[96];
		quote_text(q, s, len);
		allowed_arg(f, a, sizeof(a));
		return FAIL(why, MSG_NOT_3, f->name, q, a,
			    NODE_REASON_ID(problem));
	}
	if (o.overflow) {
		if (len > CRDT_MAX_STR_BYTES)
			return FAIL(why, MSG_TEXT_BYTES_LONGER_THAN_ALLOWED, f->name, len, CRDT_MAX_STR_BYTES);
		return FAIL(why, MSG_NO_ROOM_VALUE, f->name);
	}
	struct crdt_value out = {
	    .kind = CRDT_VALUE_STR, .p = buf, .len = o.len};
	int rc = node_schema_check_reason(f, &out, why);
	if (rc == 0)
		*v = out;
	return rc;
}

/* The text forms: the reason rendered in English, or Chinese when zh. */
static int reason_out(int rc, const struct node_reason *r, bool zh, char *why,
		      size_t why_len)
{
	if (rc && why && why_len)
		node_schema_reason_text(r, zh ? NODE_LANG_ZH : NODE_LANG_EN,
					why, why_len);
	return rc;
}

int node_schema_check(const struct node_field *f, const struct crdt_value *v,
		      char *why, size_t why_len)
{
	return node_schema_check_lang(f, v, false, why, why_len);
}

int node_schema_check_lang(const struct node_field *f,
			   const struct crdt_value *v, bool zh, char *why,
			   size_t why_len)
{
	struct node_reason r;
	int rc = node_schema_check_reason(f, v, &r);
	return reason_out(rc, &r, zh, why, why_len);
}

int node_schema_parse(const struct node_field *f, const char *text,
		      struct crdt_value *v, uint8_t *buf, size_t buf_len,
		      char *why, size_t why_len)
{
	return node_schema_parse_lang(f, text, v, buf, buf_len, false, why,
				      why_len);
}

int node_schema_parse_lang(const struct node_field *f, const char *text,
			   struct crdt_value *v, uint8_t *buf, size_t buf_len,
			   bool zh, char *why, size_t why_len)
{
	struct node_reason r;
	int rc = node_schema_parse_reason(f, text, v, buf, buf_len, &r);
	return reason_out(rc, &r, zh, why, why_len);
}
