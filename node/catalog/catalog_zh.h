/*
 * catalog_zh.h: ward's messages in Chinese (简体中文): shown when the locale says zh (LANG, LC_ALL,
 * LC_MESSAGES); every id has its text, with the same printf
 * conversions in the same order as English.
 * Texts are printf formats; the arguments are the caller's. Each is a
 * macro ID_ZH (a string literal), so that -Wformat checks it against
 * the arguments at every call site (catalog.h's MSG).
 */
#ifndef WARD_NODE_CATALOG_ZH_H
#define WARD_NODE_CATALOG_ZH_H

#define MSG_NEEDS_VALUE_ZH \
	"%s 后面需要一个值"
#define MSG_UNKNOWN_OPTION_SEE_WARD_HELP_ZH \
	"未知的选项 %s（见 ward --help）"
#define MSG_NO_DATA_DIRECTORY_GIVE_DATA_ZH \
	"没有指定数据目录：请加 --data DIR 或设置环境变量 " \
	"WARD_DATA"
#define MSG_PROOFS_ZH \
	"证据     %zu\n"
#define MSG_FORK_WROTE_TWO_DIFFERENT_ENTRIES_ZH \
	"  分叉  %.16s %s 在辖区 %s 序号 %lld " \
	"写了两个不同的条目\n"
#define MSG_DIVERGENCE_HOLD_SAME_ENTRIES_BUT_ZH \
	"  状态不一致  %s 与 %s 条目相同但状态不同\n"
#define MSG_SEQ_ZH \
	"%s  %-8s %s/%s 序号 %lld.%lld  %-6s "
#define MSG_NO_EFFECT_ZH \
	"   未生效：%s"
#define MSG_TIMELINE_IS_FOR_A_PATIENT_ZH \
	"--timeline 只用于患者；%s 是 %s 记录"
#define MSG_GIVE_MONTH_OR_ON_NOT_BOTH_ZH \
	"--month 和 --on 只能给一个"
#define MSG_MONTH_NOT_A_MONTH_ZH \
	"--month %s 不是月份（应为 YYYY-MM，如 2026-08）"
#define MSG_PATIENTS_WITH_OR_WITHOUT_RECORD_ZH \
	"%s=%s：对患者，%s= 列出没有 %s 记录的患者，" \
	"%s=yes 列出有的患者"
#define MSG_USAGE_WARD_SHOW_TIMELINE_ZH \
	"用法：ward show PATIENT --timeline"
#define MSG_CANNOT_WRITE_FILE_ZH \
	"ward: 无法写入 %s\n"
#define MSG_WROTE_ROWS_TO_ZH \
	"已写入 %zu 行到 %s\n"
#define MSG_COLUMNS_DO_NOT_FIT_TERMINAL_ZH \
	"（终端太窄，%zu 列（自“%s”起）未显示：请加宽终端、" \
	"用管道输出，或使用 --json 或 --csv FILE）\n"
#define MSG_WL_H_PATIENT_NO_ZH \
	"患者编号"
#define MSG_WL_H_NAME_ZH \
	"姓名"
#define MSG_WL_H_VILLAGE_ZH \
	"辖区"
#define MSG_WL_H_PHONE_ZH \
	"电话"
#define MSG_WL_H_RISK_ZH \
	"危险性"
#define MSG_WL_H_RISK_ON_ZH \
	"评估日期"
#define MSG_WL_H_LAST_VISIT_ZH \
	"末次随访"
#define MSG_WL_H_DUE_ZH \
	"应随访日期"
#define MSG_WL_H_OVERDUE_ZH \
	"逾期天数"
#define MSG_WL_H_CLASS_ZH \
	"病情分类"
#define MSG_WL_H_LAST_ATTEMPT_ZH \
	"末次未随访到"
#define MSG_WL_H_FAILED_ATTEMPTS_ZH \
	"未随访到日期"
#define MSG_WL_H_GUARDIAN_ZH \
	"监护人"
#define MSG_WL_H_GUARDIAN_PHONE_ZH \
	"监护人电话"
#define MSG_WL_H_CARE_GROUP_LEADER_ZH \
	"帮扶小组组长"
#define MSG_WL_H_ID_ZH \
	"编号"
#define MSG_WL_H_DATE_ZH \
	"日期"
#define MSG_WL_H_TYPE_ZH \
	"类型"
#define MSG_WL_H_SCOPE_ZH \
	"辖区"
#define MSG_WL_H_FIELDS_ZH \
	"字段"
#define MSG_WL_H_EVENT_ZH \
	"事件"
#define MSG_WL_H_DETAILS_ZH \
	"内容"
#define MSG_WL_H_WRITTEN_BY_ZH \
	"记录人"
#define MSG_WL_EV_REGISTERED_ZH \
	"登记在册"
#define MSG_WL_EV_TRANSFERRED_FROM_ZH \
	"转入登记"
#define MSG_WL_EV_EXITED_ZH \
	"退出管理"
#define MSG_WL_EV_FOLLOWUP_ZH \
	"随访"
#define MSG_WL_EV_ASSESSMENT_ZH \
	"危险性评估"
#define MSG_WL_EV_ADMITTED_ZH \
	"入院"
#define MSG_WL_EV_DISCHARGED_ZH \
	"出院"
#define MSG_WL_EV_INCIDENT_ZH \
	"肇事肇祸"
#define MSG_WL_EV_SEARCH_ZH \
	"失联查找"
#define MSG_WL_EV_SEARCH_FOUND_ZH \
	"查找到"
#define MSG_WL_EV_AGREEMENT_ZH \
	"签订协议"
#define MSG_WL_EV_FREE_MED_ZH \
	"免费服药开始"
#define MSG_WL_EV_FREE_MED_END_ZH \
	"免费服药结束"
#define MSG_WL_EV_CARE_GROUP_ZH \
	"关爱帮扶小组"
#define MSG_WL_EV_TRANSFER_OUT_ZH \
	"转出"
#define MSG_WL_EV_TRANSFER_ACCEPTED_ZH \
	"转移已接收"
#define MSG_WL_EV_TRANSFERRED_TO_ZH \
	"转入地登记"
#define MSG_WL_EV_EXAM_ZH \
	"体检"
#define MSG_WL_DUE_IN_MONTH_ZH \
	"%s 应随访："
#define MSG_WL_N_PATIENTS_ZH \
	"共 %zu 人"
#define MSG_WL_NOTE_COUNTED_FROM_ATTEMPT_ZH \
	"；* 失联或流动患者：从末次未随访到之日起算"
#define MSG_WL_N_RECORDS_ZH \
	"共 %zu 条记录"
#define MSG_WL_SCOPE_WORD_ZH \
	"辖区"
#define MSG_WL_N_EVENTS_ZH \
	"共 %zu 项"
#define MSG_WL_NOTE_UNDATED_ZH \
	"；* 记录本身无日期：按录入日期"
#define MSG_NODE_ZH \
	"节点     %s\n"
#define MSG_NAME_SCOPE_ZH \
	"名称     %s（%s，辖区 %s）\n"
#define MSG_NETWORK_ZH \
	"网络     %s\n"
#define MSG_NOT_JOINED_ZH \
	"（未加入）"
#define MSG_ENTRIES_ZH \
	"条目     %lld\n"
#define MSG_DIGEST_ZH \
	"摘要     %s\n"
#define MSG_FEEDS_ZH \
	"记录流   %zu\n"
#define MSG_RESTORED_FROM_BACKUP_MAY_BEHIND_ZH \
	"从备份恢复：在其他节点确认本节点的记录流" \
	"之前，可能落后于它们\n"
#define MSG_WRITES_BLOCKED_PEER_SENT_SIGNED_ZH \
	"写入已暂停：其他节点发来的本节点" \
	"记录流签名条目尚未应用\n"
#define MSG_WRITES_BLOCKED_RESTORED_FROM_BACKUP_ZH \
	"写入已暂停：本节点从备份恢复，正在" \
	"等待其他节点确认本节点记录流\n"
#define MSG_WRITES_BLOCKED_WARDD_STOPPED_UNCLEANLY_ZH \
	"写入已暂停：wardd 在未经确认的写入后" \
	"未正常停止，正在等待其他节点确认本" \
	"节点记录流\n"
#define MSG_PEERS_ZH \
	"对等节点 %zu\n"
#define MSG_CONNECTED_ZH \
	"已连接"
#define MSG_DISCONNECTED_ZH \
	"未连接"
#define MSG_WRITES_UNBLOCKED_NODE_SIGNS_NOW_ZH \
	"已解除写入暂停：本节点现在即可签名写入，" \
	"未经其他节点确认\n"
#define MSG_WRITES_WERE_NOT_BLOCKED_ZH \
	"写入本未暂停\n"
#define MSG_AUDIT_ENTRIES_FEEDS_FINDINGS_DIGEST_ZH \
	"审计%s：%lld 条目，%lld 记录流，%zu 项发现，摘要 %s\n"
#define MSG_FAILED_ZH \
	"未通过"
#define MSG_OK_ZH \
	"通过"
#define MSG_BACKUP_ENTRIES_DIGEST_MADE_ZH \
	"已备份 %lld 个条目到 %s（摘要 %.16s，时间 %s）\n"
#define MSG_WARD_WARNING_ZH \
	"ward: 警告：%s\n"
#define MSG_USAGE_WARD_TYPE_FIELD_VALUE_ZH \
	"用法：ward %s TYPE [FIELD=VALUE...]"
#define MSG_NOT_FIELD_VALUE_ZH \
	"'%s' 不是 FIELD=VALUE 的形式"
#define MSG_USAGE_WARD_ID_ZH \
	"用法：ward %s ID"
#define MSG_USAGE_WARD_REPORT_FROM_DATE_ZH \
	"用法：ward report --from DATE --to DATE " \
	"[--scope S] [--by village|township|month] " \
	"[--missing RATE] [--html FILE] [--json]"
#define MSG_USAGE_WARD_RETRACT_ID_REASON_ZH \
	"用法：ward retract ID --reason TEXT"
#define MSG_USAGE_WARD_FILE_TYPE_TYPE_ZH \
	"用法：ward %s --%s FILE --type TYPE"
#define MSG_NETWORK_CREATE_NEEDS_OUT_ROSTER_ZH \
	"network create 需要 --out ROSTER"
#define MSG_USAGE_WARD_NETWORK_CREATE_MEMBER_ZH \
	"用法：ward network create --member F.pub " \
	"... --out ROSTER | ward network join " \
	"ROSTER"
#define MSG_USAGE_WARD_AUDIT_VERIFY_ZH \
	"用法：ward audit verify"
#define MSG_USAGE_WARD_BACKUP_DIR_ZH \
	"用法：ward backup DIR"
#define MSG_USAGE_WARD_ENTRIES_FILE_CSV_ZH \
	"用法：ward %s --entries FILE | --csv FILE " \
	"--type TYPE | --jsonl FILE --type TYPE"
#define MSG_UNKNOWN_COMMAND_SEE_WARD_HELP_ZH \
	"未知的命令 '%s'（见 ward --help）"
#define MSG_CANNOT_READ_ZH \
	"无法读取 %s"
#define MSG_NOT_RECORD_ID_TYPE_HEX_ZH \
	"'%s' 不是记录编号（应为 TYPE-<十六进制> 或至少 6 " \
	"位十六进制数字）"
#define MSG_NO_RECORD_ZH \
	"没有记录 %s：请核对编号（可用 ward list 查找）"
#define MSG_AMBIGUOUS_ZH \
	"编号 %s 对应多条记录，请多输入几位：%s"
#define MSG_FIELD_ZH \
	"（字段 %s）"
#define MSG_NOT_ZH \
	"%s：%s 是 %s 记录，不是 %s 记录"
#define MSG_TAKES_MOST_VALUES_ONCE_ZH \
	"%s 一次最多 %d 个值"
#define MSG_NOT_SET_NOTHING_REMOVE_ZH \
	"%s：'%s' 不在该字段的值中，无需删除"
#define MSG_NODE_HAS_NOT_JOINED_NETWORK_ZH \
	"本节点尚未加入网络：请运行 ward network create" \
	"（第一个节点）或 ward network join ROSTER"
#define MSG_UNKNOWN_RECORD_TYPE_TYPES_ZH \
	"未知的记录类型 '%s'；可用的类型：%s"
#define MSG_SCOPE_NOT_REGION_CODE_2_ZH \
	"scope=%s 不是区划代码：应为 2、4、6、9 或 12 位数字"
#define MSG_RECORDS_ABOUT_PATIENT_TAKE_PATIENT_ZH \
	"患者相关记录沿用患者的辖区 %s，" \
	"不能是 %s：去掉 scope= 即可"
#define MSG_SAY_WHERE_RECORD_BELONGS_SCOPE_ZH \
	"请指明记录所属辖区：scope=CODE（区划代码）"
#define MSG_HAS_NO_FIELD_ZH \
	"%s 没有字段 '%s'：请核对字段名"
#define MSG_FIELD_GIVEN_TWICE_ZH \
	"字段 %s 给了两次，只能给一次"
#define MSG_NEEDS_ZH \
	"%s 记录必须填写 %s=..."
#define MSG_HAS_NO_EFFECT_CANNOT_CHANGED_ZH \
	"%s 未生效（%s），不能修改"
#define MSG_HOLDS_ONE_VALUE_USE_VALUE_ZH \
	"字段 %s 只有一个值：请用 %s=VALUE"
#define MSG_NOTHING_CHANGE_GIVE_FIELD_VALUE_ZH \
	"没有要修改的内容：请给出 FIELD=VALUE"
#define MSG_WARD_UNBLOCK_LETS_NODE_SIGN_ZH \
	"ward unblock 让本节点在其他节点确认本节点记录流之前" \
	"签名写入；若其他节点或本节点数据的另一副本持有本节点" \
	"没有的条目，之后的写入会分叉本节点记录流，分叉证明会" \
	"发给每个节点。确认请加 --accept-fork-risk"
#define MSG_CANNOT_WRITE_STORE_ZH \
	"无法写入数据库"
#define MSG_CANNOT_WRITE_ZH \
	"无法写入 %s"
#define MSG_WRITING_FAILED_ZH \
	"写入 %s 失败"
#define MSG_NODE_HAS_NOT_JOINED_NETWORK_2_ZH \
	"本节点尚未加入网络：请先运行 ward network join " \
	"ROSTER"
#define MSG_ENTRY_BYTE_NOT_MESSAGEPACK_NOTHING_ZH \
	"%s：第 %zu 个条目（第 %zu 字节）不是 " \
	"MessagePack 格式；未导入任何内容"
#define MSG_STORE_WRITE_FAILED_ZH \
	"写入数据库失败"
#define MSG_BACKUP_NEEDS_DIRECTORY_ZH \
	"备份需要指定一个目录"
#define MSG_UNKNOWN_REQUEST_ZH \
	"未知的请求 '%s'（ward 与节点的版本不一致？）"
#define MSG_LINE_NOT_UTF_8_FILE_ZH \
	"%s：第 %zu 行不是 UTF-8 " \
	"编码，文件像是 " \
	"GB18030 编码（电子表格常这样保存）。" \
	"请转换后导入转换出的文件：iconv -f " \
	"GB18030 -t UTF-8 '%s' > converted.csv" \
	"（或另存为“CSV " \
	"UTF-8”）。未导入任何内容"
#define MSG_LINE_NOT_UTF_8_TEXT_ZH \
	"%s：第 %zu 行不是 UTF-8 文本；请把" \
	"文件另存为 UTF-8 后重新导入。未导入" \
	"任何内容"
#define MSG_PATIENT_NO_HELD_PATIENTS_SEE_ZH \
	"%s：患者编号 patient_no %s 对应 %zu 名患者" \
	"（见 ward duplicates）；请改填记录编号"
#define MSG_REG_MATCH_AMBIGUOUS_ZH \
	"%s %s 在本节点辖区内对应 %zu 条%s记录" \
	"（%s 和 %s）；请加一列 id 指明是哪一条"
#define MSG_REG_MATCH_MODE_BAD_ZH \
	"--match %s：%s记录可按 %s 匹配"
#define MSG_REG_MATCH_SCOPE_FIXED_ZH \
	"辖区 %s：这一行对应的记录 %s 属于辖区 %s" \
	"（记录的辖区不能更改；辖区一格请留空或填写" \
	"该记录的辖区）"
#define MSG_REG_SAME_RECORD_LINE_ZH \
	"与第 %zu 行是同一条记录（%s）；" \
	"名册中每条记录只应占一行"
#define MSG_REG_ROW_NEEDS_PATIENT_ZH \
	"%s记录的这一行须指明患者：加一列 patient（患者），" \
	"填写患者的 id 或患者编号"
#define MSG_REG_ADD_NEEDS_PATIENT_ZH \
	"%s记录须指明患者：patient=ID（患者的 id 或" \
	"患者编号）；记录随患者所属辖区"
#define MSG_REG_ROLE_MAY_NOT_WRITE_ZH \
	"角色 %s 无权填写 %s.%s；可填写的角色：%s"
#define MSG_REG_ROLE_MAY_NOT_CREATE_ZH \
	"角色 %s 无权新建 %s 记录；可新建的角色：%s"
#define MSG_REG_JOINT_ONLY_ZH \
	"角色 %s 只能填写联合随访：请填写 joint=yes" \
	"（联合随访=是）；非联合随访由卫生健康机构填写"
#define MSG_REG_DATE_AHEAD_ZH \
	"%s.%s 为 %.*s，晚于今天（%s）：事情发生后才能" \
	"登记，请核对日期"
#define MSG_REG_OUTSIDE_SCOPE_CHANGED_ZH \
	"辖区 %s 不在本节点的管辖范围 %s 内，且这一行与" \
	"该辖区的记录不一致；该记录由其他机构维护" \
	"（--skip-bad 可跳过这些行）"
#define MSG_REG_EXPORTED_ZH \
	"已导出 %lld 条%s记录到 %s（文件权限 0600：仅本" \
	"用户可读，内含个人信息）\n"
#define MSG_REG_EXPORT_RETRACTED_LEFT_OUT_ZH \
	"未导出已撤销的记录 %lld 条（--retracted 可一并" \
	"导出）\n"
#define MSG_REG_NOTHING_TO_WRITE_ZH \
	"%lld 行均与已有记录一致：未写入任何内容\n"
#define MSG_REG_MATCHED_ZH \
	"无 id 的行中有 %lld 行对应已有记录（按 %s 匹配）\n"
#define MSG_CELLS_HEADER_HAS_ZH \
	"这一行有 %zu 格，表头有 %zu 列：请检查是否" \
	"多了或少了逗号"
#define MSG_NOT_RECORD_ZH \
	"%s 是 %s，不是 %s 记录"
#define MSG_WITHOUT_EFFECT_ZH \
	"未生效的记录"
#define MSG_SCOPE_RECORD_S_SCOPE_FIXED_ZH \
	"辖区 %s：记录的辖区不能更改（仍为 %s）"
#define MSG_SCOPE_NOT_REGION_CODE_ZH \
	"辖区 %s 不是区划代码（应为 2、4、6、9 或 " \
	"12 位数字）"
#define MSG_GIVEN_TWICE_ZH \
	"字段 %s 出现了两次，只能有一列"
#define MSG_WRITE_ONCE_SET_ONLY_WHEN_ZH \
	"字段 %s 只能在新建记录时填写，之后" \
	"不能修改"
#define MSG_RECORDS_ABOUT_PATIENT_TAKE_PATIENT_2_ZH \
	"患者相关记录沿用患者" \
	"的辖区 %s，不能是 %s"
#define MSG_SAY_WHERE_RECORD_BELONGS_SCOPE_2_ZH \
	"请指明记录所属辖区：加一列 scope（辖区），或填写" \
	"患者"
#define MSG_SCOPE_OUTSIDE_NODE_S_JURISDICTION_ZH \
	"辖区 %s 不在本节点的管辖范围 %s 内；请由该辖区的" \
	"机构导入"
#define MSG_NEEDS_2_ZH \
	"%s 记录必须填写 %s"
#define MSG_ROW_TOO_LARGE_ONE_ENTRY_ZH \
	"这一行太大，一个条目放不下；请拆成几行"
#define MSG_WRITING_FAILED_2_ZH \
	"写入失败：%s"
#define MSG_MORE_THAN_SCOPES_ONE_IMPORT_ZH \
	"一次导入涉及的辖区超过 %d 个；请分批导入"
#define MSG_GIVE_TYPE_TYPE_RECORD_TYPE_ZH \
	"请用 --type TYPE 指明记录类型"
#define MSG_NODE_NOT_NETWORK_S_ROSTER_ZH \
	"本节点不在所加入网络的成员名单中"
#define MSG_EMPTY_NO_HEADER_ZH \
	"%s 是空文件（没有表头）"
#define MSG_COLUMN_NO_FIELD_NOTHING_IMPORTED_ZH \
	"%s：表头中的列 '%s' 不是 %s 的字段；" \
	"未导入任何内容"
#define MSG_LINE_ZH \
	"第 %zu 行：%s"
#define MSG_SCOPE_NOT_REGION_CODE_3_ZH \
	"--scope %s 不是区划代码（应为 2、4、6、9 或 12 位" \
	"数字）"
#define MSG_RANGES_N_N_APPLY_NUMBERS_ZH \
	"%s：范围条件（>=、<=、N..、..N）只适用于数字和日期" \
	"字段"
#define MSG_UNKNOWN_RECORD_TYPE_ZH \
	"未知的记录类型 '%s'（如 patient、guardian、followup）"
#define MSG_SCOPE_NOT_REGION_CODE_4_ZH \
	"--scope %s 不是区划代码（应为 2、4、6、9 或 12 " \
	"位数字）"
#define MSG_HAS_NO_SPECIAL_CATEGORIES_ZH \
	"%s 记录没有特殊类别（--special）"
#define MSG_FILTER_FIELD_VALUE_ZH \
	"筛选条件应写成 FIELD=VALUE"
#define MSG_NOT_DATE_YYYY_MM_DD_ZH \
	"--on %s 不是日期（应为 YYYY-MM-DD）"
#define MSG_COULD_NOT_COMPUTE_LIST_ZH \
	"无法生成名单"
#define MSG_REPORT_NEEDS_FROM_DATE_DATE_ZH \
	"report 需要 --from DATE --to DATE（日期格式 " \
	"YYYY-MM-DD）"
#define MSG_FROM_AFTER_ZH \
	"--from %s 晚于 --to %s：开始日期不能晚于结束日期"
#define MSG_BAD_PERIOD_ZH \
	"统计期间无效"
#define MSG_ALREADY_HELD_SEE_WARD_DUPLICATES_ZH \
	"%s %.*s 已被 %s 使用（可能是重复" \
	"登记，见 ward duplicates）"
#define MSG_REFUSED_NOTHING_WRITTEN_EXIT_DATE_ZH \
	"已拒绝，未写入任何内容：" \
	"status 为 exited（已退出管理）时必须" \
	"填写 exit_date（请给出 " \
	"exit_date=YYYY-MM-DD）"
#define MSG_SAY_WHY_REASON_TEXT_ZH \
	"请说明撤销原因：--reason TEXT"
#define MSG_HAS_NO_EFFECT_NOTHING_RETRACT_ZH \
	"%s 未生效（%s），无需撤销"
#define MSG_ALREADY_RETRACTED_ZH \
	"%s 已经撤销过了"
#define MSG_CANNOT_OPEN_SCRATCH_STORE_ZH \
	"无法打开审计用的临时数据库：%s"
#define MSG_BACKUP_NOT_ABSOLUTE_PATH_ZH \
	"备份：'%s' 不是绝对路径"
#define MSG_CANNOT_CREATE_ZH \
	"无法创建 %s：%s"
#define MSG_EXISTS_NOT_EMPTY_DIRECTORY_GIVE_ZH \
	"%s 已存在且不是空目录：请为备份指定一个新目录"
#define MSG_CANNOT_MAKE_PRIVATE_ZH \
	"无法将 %s 设为仅本人可访问：%s"
#define MSG_BACKUP_CANNOT_COPY_ZH \
	"备份：无法把 %s 复制到 %s"
#define MSG_BACKUP_CANNOT_COPY_STORE_ZH \
	"备份：无法把数据库复制到 %s：%s"
#define MSG_CANNOT_FIND_BESIDE_WARD_PROC_ZH \
	"找不到 ward 旁边的 %s（未挂载 /proc？）"
#define MSG_CANNOT_RUN_ZH \
	"无法运行 %s：%s"
#define MSG_NODE_S_DAEMON_DID_NOT_ZH \
	"节点的守护进程 wardd 没有应答；它是否负载" \
	"过重或已卡住？请检查 wardd 的日志"
#define MSG_CANNOT_READ_2_ZH \
	"无法读取 %s：%s"
#define MSG_NO_SUCH_FILE_ZH \
	"文件不存在"
#define MSG_READ_ERROR_ZH \
	"读取出错"
#define MSG_NOT_WARD_NODE_PUB_FILE_ZH \
	"%s 不是 ward 的 node.pub 文件（应由 ward init " \
	"生成）"
#define MSG_REFUSED_CERTIFICATES_MUST_X_509_ZH \
	"%s：已拒绝：%s（证书必须是 CA:FALSE 的 X.509 v3 " \
	"证书，且 CN 为该成员自己的公钥）"
#define MSG_REFUSED_TLS_CERTIFICATE_EXPIRED_MACHINE_ZH \
	"%s：已拒绝：其 TLS 证书已于 %s 过期（按本机" \
	"时钟），TLS 会拒绝过期证书；该节点需要新的" \
	"身份（在新目录中运行 ward init）并提供新的 " \
	"node.pub"
#define MSG_REFUSED_TLS_CERTIFICATE_VALID_ONLY_ZH \
	"%s：已拒绝：其 TLS 证书自 %s 起才生效（按本" \
	"机时钟）；请检查本机和该节点的时钟"
#define MSG_LIBSODIUM_FAILED_INITIALISE_ZH \
	"libsodium 初始化失败"
#define MSG_ROLE_MUST_ONE_HEALTH_TOWNSHIP_ZH \
	"--role 必须是以下之一：health（卫生健康）、" \
	"township（乡镇街道）、police（公安）、civil（民政）" \
	"、disabled（残联）、legal（政法委）、auditor" \
	"（审计督查）"
#define MSG_NAME_MUST_NON_EMPTY_NAME_ZH \
	"--name 必须是非空的名称（不超过 200 字节）"
#define MSG_SCOPE_MUST_REGION_CODE_2_ZH \
	"--scope 必须是 2、4、6、9 或 12 位数字的区划代码" \
	"（如 120116001）"
#define MSG_LISTEN_MUST_HOST_PORT_NOT_ZH \
	"--listen 应为 HOST:PORT，而不是 '%s'"
#define MSG_NOT_DIRECTORY_ZH \
	"%s 不是目录"
#define MSG_MODE_CANNOT_MADE_PRIVATE_NODE_ZH \
	"%s 的权限为 %04o，且无法改为私有（%s）：" \
	"节点目录必须为 0700；请使用属于自己的目录"
#define MSG_ALREADY_INITIALISED_NODE_KEY_EXISTS_ZH \
	"%s 已经初始化过了（node.key 已存在）；" \
	"节点身份永远不会被替换"
#define MSG_CANNOT_CREATE_TLS_IDENTITY_ZH \
	"无法在 %s 中创建 TLS 身份%s"
#define MSG_TLS_KEY_EXISTS_ZH \
	"：tls.key 已存在"
#define MSG_INITIALISED_NODE_ROLE_SCOPE_LISTEN_ZH \
	"已初始化 %s：节点 %s，角色 %s，辖区 %s，监听 %s；请把 " \
	"%s/node.pub 交给创建网络的机构"
#define MSG_WAS_MODE_NOW_0700_ONLY_ZH \
	"（%s 原权限为 %04o：已改为 0700，仅其所有者可" \
	"访问）"
#define MSG_CANNOT_JOIN_ZH \
	"无法加入：%s"
#define MSG_NODE_NOT_MEMBER_ROSTER_ZH \
	"本节点不在该成员名单中：请让创建网络的机构把本" \
	"节点的 node.pub 加进去"
#define MSG_JOINED_NETWORK_MEMBERS_ZH \
	"已加入网络 %s（%zu 个成员）"
#define MSG_ROSTER_MEMBER_CERTIFICATE_REFUSED_ZH \
	"成员名单中的 %s：证书被拒绝：%s"
#define MSG_WARNING_MEMBER_S_TLS_CERTIFICATE_ZH \
	"；警告：成员 %s 的 TLS 证书已于 %s " \
	"过期：在成员名单变更替换它之前，" \
	"与它的连接都会失败"
#define MSG_WARNING_MEMBER_S_TLS_CERTIFICATE_2_ZH \
	"；警告：成员 %s 的 TLS 证书自 %s " \
	"起才生效（请检查时钟）"
#define MSG_NOT_INITIALISED_RUN_WARD_INIT_ZH \
	"%s 中的节点尚未初始化：请先运行 ward init --data " \
	"%s"
#define MSG_EXISTS_REMOVE_CHOOSE_ANOTHER_OUT_ZH \
	"文件已存在（请删除它或换一个 --out）"
#define MSG_ROSTER_WRITTEN_HAND_EACH_MEMBER_ZH \
	"；成员名单已写入 %s：请交给每个成员，用 ward " \
	"network join 加入"
#define MSG_CANNOT_READ_ROSTER_ZH \
	"无法读取成员名单 %s"
#define MSG_NOT_VALID_ROSTER_ZH \
	"%s 不是有效的成员名单：%s"
#define MSG_DATA_DIRECTORY_BELONGS_USER_UID_ZH \
	"数据目录 %s 属于用户 %s（uid %u），不属于当前" \
	"用户：请以该用户身份运行 %s"
#define MSG_DATA_DIRECTORY_WRITABLE_OTHER_USERS_ZH \
	"数据目录 %s 允许其他用户写入（权限 %04o）：" \
	"任何人都可以替换其中的套接字；请运行 chmod " \
	"700 %s"
#define MSG_NOTHING_SENT_WARDD_DATA_DIRECTORY_ZH \
	"未向 wardd 发送任何内容：数据目录 %s 允许其他" \
	"用户写入（权限 %04o），任何人都可能在其中放置" \
	"套接字；请运行 chmod 700 %s"
#define MSG_SOCKET_PATH_BYTES_OVER_BYTES_ZH \
	"套接字路径 %s 长 %zu 字节，超过 unix 套接字允许" \
	"的 %zu 字节，且未挂载 /proc 无法以其他方式访问；" \
	"请把数据目录移到更短的路径下"
#define MSG_NOTHING_SENT_WARDD_BELONGS_USER_ZH \
	"未向 wardd 发送任何内容：%s/%s 属于用户 %s（uid %u），" \
	"不属于当前用户，可能并非本节点的 wardd；请以运行 wardd " \
	"的用户身份运行 ward，若并无 wardd 在运行，请删除该" \
	"套接字"
#define MSG_NO_NODE_RUN_WARD_INIT_ZH \
	"%s 处没有节点：请先运行 ward init --data %s"
#define MSG_NOT_INITIALISED_RUN_WARD_INIT_2_ZH \
	"%s 中的节点尚未初始化：请运行 ward init " \
	"--data %s"
#define MSG_NODE_KEY_UNREADABLE_ZH \
	"无法读取 %s/node.key（请检查文件权限）"
#define MSG_STORE_USE_ANOTHER_PROCESS_RUNNING_ZH \
	"%s 中的数据库正被另一个进程占用（wardd " \
	"正在运行？）；请稍后重试"
#define MSG_CANNOT_OPEN_STORE_ZH \
	"无法打开 %s 中的数据库：%s"
#define MSG_CANNOT_READ_LEDGER_ZH \
	"无法读取 %s 中的账本"
#define MSG_REFUSED_NOTHING_WRITTEN_NODE_WAS_ZH \
	"已拒绝，未写入任何内容：" \
	"本节点是从备份恢复的，其他节点可能持有本节点记录流中本节点" \
	"没有的条目；请启动 wardd --data %s（待其他节点确认本节点记" \
	"录流后才会签名），并通过它写入（若确实无法连接任何节点：ward " \
	"unblock --accept-fork-risk）"
#define MSG_REFUSED_NOTHING_WRITTEN_WARDD_DID_ZH \
	"已拒绝，未写入任何内容：" \
	"wardd 在写入尚未经其他节点确认的条目后未正常停止（或这是运行" \
	"中节点数据库的副本），其他节点可能持有比本节点更多的本节点记" \
	"录流；请启动 wardd --data %s（待其他节点确认本节点记录流后才" \
	"会签名），并通过它写入（若确实无法连接任何节点：ward unblock " \
	"--accept-fork-risk）"
#define MSG_NOT_2_ZH \
	"字段 %s 的值 %s 无效，应为%s"
#define MSG_TEXT_UTF_8_WITHOUT_CONTROL_ZH \
	"文本（UTF-8，不含控制字符）"
#define MSG_DATE_YYYY_MM_DD_YEARS_ZH \
	"格式为 YYYY-MM-DD 的日期（1900-2100 年）"
#define MSG_ONE_ZH \
	"以下之一："
#define MSG_WHOLE_NUMBER_MORE_ZH \
	"不小于 %lld 的整数"
#define MSG_WHOLE_NUMBER_FROM_ZH \
	"从 %lld 到 %lld 的整数"
#define MSG_IN_ZH \
	"（单位 %s）"
#define MSG_ID_32_HEX_DIGITS_16_ZH \
	"一条 %s 记录的编号（%s-<32 位十六进制>）"
#define MSG_N18_CHARACTER_RESIDENT_ID_NUMBER_ZH \
	"有效的 18 位居民身份证号码"
#define MSG_MEDICATION_LINE_DRUG_MORNING_MG_ZH \
	"用药记录 DRUG;MORNING_MG;NOON_MG;EVENING_MG" \
	"（药名;早;中;晚 剂量 mg）或 " \
	"DRUG;lai;EVERY_N_WEEKS;DOSE_MG（长效针剂）"
#define MSG_REGION_CODE_2_4_6_ZH \
	"区划代码（2、4、6、9 或 12 位数字，末尾全为零的" \
	"层级省略）"
#define MSG_NOT_3_ZH \
	"字段 %s 的值 %s 无效，应为%s；%s"
#define MSG_NIL_NOT_SET_ELEMENT_ZH \
	"字段 %s：集合中不能有空值"
#define MSG_EMPTY_STRING_NOT_VALUE_NIL_ZH \
	"字段 %s：空字符串不是有效值（清空字段" \
	"用空值 nil）"
#define MSG_UNKNOWN_FIELD_KIND_ZH \
	"字段 %s：未知的字段种类"
#define MSG_NAMES_RECORD_NOT_ZH \
	"字段 %s：%s 指向 %s 记录，不是 " \
	"%s 记录"
#define MSG_NO_ROOM_VALUE_ZH \
	"字段 %s：值太长，放不下"
#define MSG_EMPTY_ELEMENT_NOT_VALUE_ZH \
	"字段 %s：不能有空元素（是否多写了 " \
	"'|'？）"
#define MSG_TEXT_BYTES_LONGER_THAN_ALLOWED_ZH \
	"字段 %s：文本有 %zu 字节，超过了上限 " \
	"%u 字节"
#define MSG_REFUSED_NOTHING_WRITTEN_NODE_WAS_2_ZH \
	"已拒绝，未写入任何内容：" \
	"本节点是从备份恢复的，其他节点可能持有本节点记录流" \
	"中本节点没有的条目；待其他节点确认后即可写入（见 " \
	"ward status）。若确实无法连接任何节点，可运行 " \
	"ward unblock --accept-fork-risk 立即写入，但有分" \
	"叉本节点记录流的风险"
#define MSG_REFUSED_NOTHING_WRITTEN_WARDD_DID_2_ZH \
	"已拒绝，未写入任何内容：" \
	"wardd 在写入尚未经其他节点确认的条目后未正常停止，" \
	"须等待其他节点确认本节点记录流（见 ward status）。" \
	"若确实无法连接任何节点，且本节点数据没有在别处运行" \
	"过的副本，可运行 ward unblock --accept-fork-risk " \
	"立即写入"
#define MSG_REFUSED_NOTHING_WRITTEN_PEER_HAS_ZH \
	"已拒绝，未写入任何内容：" \
	"其他节点发来了本节点记录流 %s 中本节点尚未持有的" \
	"有效签名条目；待这些条目应用后即可写入（见 ward " \
	"status）"
#define MSG_REFUSED_NOTHING_WRITTEN_STORE_COULD_ZH \
	"已拒绝，未写入任何内容：" \
	"无法写入数据库（磁盘已满" \
	"或故障？）；请查看 wardd " \
	"日志"
#define MSG_DETAIL_ID_17_DIGITS_ZH \
	"需要 17 位数字加一位校验码（0-9 或 X）"
#define MSG_DETAIL_ID_BIRTH_DATE_ZH \
	"其中的出生日期（第 7-14 位）不是真实的日期"
#define MSG_DETAIL_ID_CHECK_CHAR_ZH \
	"校验码不对（是否输错了某一位？）"
#define MSG_DETAIL_MED_4_PARTS_ZH \
	"需要用 ';' 分成 4 段"
#define MSG_DETAIL_MED_DRUG_EMPTY_ZH \
	"药名为空"
#define MSG_DETAIL_MED_PART_SPACES_ZH \
	"某一段前后有空格"
#define MSG_DETAIL_MED_DRUG_BAR_ZH \
	"药名中含有 '|'"
#define MSG_DETAIL_MED_DRUG_FULLWIDTH_ZH \
	"药名中含有全角分号 '；'"
#define MSG_DETAIL_MED_NUMBERS_CANONICAL_ZH \
	"剂量和周数应写成 0、2、12.5 或 0.25 这样的数（最多 2 位小数，不要多余的前导零或末尾零）"
#define MSG_DETAIL_MED_LAI_ZH \
	"长效针剂的间隔周数和剂量都必须大于 0"
#define MSG_DETAIL_TEXT_TOO_LONG_ZH \
	"超过了 4096 字节"
#define MSG_DETAIL_TEXT_UTF8_ZH \
	"不是有效的 UTF-8 文本"
#define MSG_DETAIL_TEXT_CONTROL_ZH \
	"含有控制字符"
#define MSG_DETAIL_MED_NUMBERS_ZH \
	"剂量和周数应写成 0、2、12.5 或 0.25 这样的数"
#define MSG_DETAIL_MED_MISSING_ZH \
	"缺少剂量或间隔周数"
#define MSG_DETAIL_MED_INT_DIGITS_ZH \
	"数字的整数部分超过 5 位"
#define MSG_DETAIL_MED_DECIMALS_ZH \
	"数字的小数超过 2 位"
#define MSG_F_UNKNOWN_RECORD_TYPE_ZH \
	"未知的记录类型"
#define MSG_F_ROLE_MAY_NOT_CREATE_ZH \
	"角色 %s 无权新建 %s 记录（有权新建的角色：%s）；请由有权限的机构登记"
#define MSG_F_NO_SUCH_RECORD_ZH \
	"没有这条记录"
#define MSG_F_RECORD_UNREADABLE_ZH \
	"记录的元数据无法读取"
#define MSG_F_CREATE_NO_EFFECT_ZH \
	"这条记录的创建未生效"
#define MSG_F_OP_SCOPE_ZH \
	"辖区 %s 的操作作用在辖区 %s 的记录上"
#define MSG_F_NO_FIELD_ZH \
	"%s 记录没有字段 %s"
#define MSG_F_SET_FIELD_TAKES_ZH \
	"%s：多值字段只能添加或删除值"
#define MSG_F_SINGLE_FIELD_TAKES_ZH \
	"%s：单值字段只能设置值"
#define MSG_F_WRITE_ONCE_ZH \
	"字段 %s 只能在新建记录时填写，之后不能修改"
#define MSG_F_ROLE_MAY_NOT_WRITE_ZH \
	"角色 %s 无权填写 %s.%s（有权填写的角色：%s）；请由有权限的机构填写"
#define MSG_F_CELL_UNREADABLE_ZH \
	"存储的字段值无法读取"
#define MSG_F_OUTSIDE_JURISDICTION_ZH \
	"辖区 %s 不在写入者的管辖范围 %s 内；请由该辖区的机构写入"
#define MSG_F_PAST_REVOCATION_ZH \
	"写入者已被撤销，此条目超出了其撤销界限"
#define MSG_F_TEXT_ZH \
	"%s"
#define MSG_W_NOT_JOINED_ZH \
	"本节点尚未加入网络：请先运行 ward network join ROSTER"
#define MSG_W_NOT_REGION_ZH \
	"'%s' 不是行政区划代码"
#define MSG_W_OPS_COUNT_ZH \
	"一次写入包含 1 到 %u 项修改"
#define MSG_W_CLOCK_BEHIND_ZH \
	"系统时钟早于本节点上次写入的时间；请核对时钟后重试"
#define MSG_W_TOO_LARGE_ZH \
	"本次修改超过 64 KiB，请分几次写入"
#define MSG_W_STORE_FAILED_ZH \
	"无法写入数据库"
#define MSG_W_REJECTED_ZH \
	"被拒绝：%s"
#define MSG_NO_ROLE_ZH \
	"没有任何角色"
#define MSG_REFUSED_TEXT_ZH \
	"已拒绝，未写入任何内容：%s"
#define MSG_W_OUTSIDE_JURISDICTION_ZH \
	"辖区 %s 不在本节点的管辖范围 %s 内；请由该辖区的机构写入"
#define MSG_OP_CREATE_ZH \
	"新建"
#define MSG_OP_SET_ZH \
	"设置"
#define MSG_OP_ADD_ZH \
	"添加"
#define MSG_OP_REMOVE_ZH \
	"删除"
#define MSG_STATUS_FEED_ZH \
	"  %.16s  %-12s 序号 %lld\n"
#define MSG_STATUS_INSECURE_ZH \
	"不安全：节点之间使用明文 TCP，没有 TLS，对方身份未经验证\n"
#define MSG_STATUS_PEER_ZH \
	"  %.16s  %-20s %-21s %-12s 落后 %s 条  最近联系 %s\n"
#define MSG_NEVER_ZH \
	"从未"
#define MSG_AUDIT_FAIL_LINE_ZH \
	"失败 %s\n"
#define MSG_AUDIT_FINDING_LINE_ZH \
	"发现  记录流 %.16s/%s 序号 %lld 操作 %lld：%s\n"
#define MSG_EXPORTED_ENTRIES_ZH \
	"已导出 %lld 个条目到 %s\n"
#define MSG_REJECTED_LINE_ZH \
	"被拒绝 %s\n"
#define MSG_IMPORTED_ENTRIES_ZH \
	"已导入 %lld / %lld 个条目（%lld 个已持有，%zu 个被拒绝）\n"
#define MSG_AUDIT_MALFORMED_ZH \
	"条目格式错误（%s）"
#define MSG_AUDIT_BAD_SIGNATURE_ZH \
	"签名无效"
#define MSG_AUDIT_WRONG_PLACE_ZH \
	"条目存放在了别的记录流或序号下"
#define MSG_AUDIT_SEQ_GAP_ZH \
	"序号有缺口"
#define MSG_AUDIT_PREV_ZH \
	"prev 与前一个条目不符"
#define MSG_AUDIT_HLC_ZH \
	"hlc 没有递增"
#define MSG_AUDIT_ROSTER_DECREASING_ZH \
	"成员名册版本在减小"
#define MSG_AUDIT_FEED_FAILURE_ZH \
	"记录流 %s/%s 序号 %llu：%s"
#define MSG_AUDIT_STATE_DIFFERS_ZH \
	"存储的状态与从日志重新计算的状态有 %zu 个键不同"
#define MSG_AUDIT_DIGEST_DIFFERS_ZH \
	"存储的状态摘要与从日志重新计算的摘要不同"
#define MSG_AUDIT_RECOMPUTE_ZH \
	"重新计算：第 %zu 个条目：%s"
#define MSG_HELP_TYPE_HEAD_ZH \
	"%s（%s）：由 %s 新建\n"
#define MSG_HELP_KIND_TEXT_ZH \
	"文本"
#define MSG_HELP_KIND_DATE_ZH \
	"日期 YYYY-MM-DD"
#define MSG_HELP_KIND_INT_ZH \
	"整数 %lld..%lld"
#define MSG_HELP_KIND_INT_MIN_ZH \
	"不小于 %lld 的整数"
#define MSG_HELP_KIND_REF_ZH \
	"%s 记录的编号"
#define MSG_HELP_KIND_ID_NUMBER_ZH \
	"18 位居民身份证号码"
#define MSG_HELP_KIND_MED_LINE_ZH \
	"药名;早;中;晚（mg），或 药名;lai;周数;mg"
#define MSG_HELP_KIND_SCOPE_ZH \
	"行政区划代码"
#define MSG_HELP_UNIT_ZH \
	"（单位 %s）"
#define MSG_HELP_FLAG_REQUIRED_ZH \
	"必填"
#define MSG_HELP_FLAG_WRITE_ONCE_ZH \
	"仅新建时填写"
#define MSG_HELP_FLAG_SET_ZH \
	"多个值：字段+=值，字段-=值"
#define MSG_HELP_TYPE_FOOT_ZH \
	"\n取值可以写代码，也可以写中文名称。值为空表示清除该字段。\nward list 的筛选条件：字段=值，字段=N..（不小于），字段=..N（不大于），字段=A..B，字段=（未填写）；这些写法不需要在 shell 中加引号。\n"
#define MSG_HELP_TYPES_ZH \
	"记录类型（ward help 类型 或 ward add 类型 --help 列出该类型的字段）：\n"
#define MSG_HELP_UNKNOWN_TOPIC_ZH \
	"没有关于 '%s' 的帮助：请给出命令或记录类型（ward help 会列出）"
#define MSG_HELP_COL_FIELD_ZH \
	"字段"
#define MSG_HELP_COL_LABEL_ZH \
	"中文名"
#define MSG_HELP_COL_WRITERS_ZH \
	"可填写的角色"
#define MSG_HELP_COL_VALUES_ZH \
	"取值"

#define MSG_REPORT_BY_VALUES_ZH \
	"--by %s 无效：请用 --by village（按村）、--by township（按乡镇）或 --by month（按月）"
#define MSG_REPORT_MISSING_KEYS_ZH \
	"--missing %s 无效：请给出可列出未达标名单的指标：%s"
#define MSG_REPORT_HTML_NEEDS_FILE_ZH \
	"--html 后面需要文件名"
#define MSG_REPORT_BY_NEEDS_LARGER_SCOPE_ZH \
	"--by %s 需要比 --scope %s 更大的辖区：请给出更大的 --scope，或不加 --by"
#define MSG_REPORT_TOO_MANY_MONTHS_ZH \
	"%s 至 %s 超过 %d 个月：逐月趋势请给出更短的统计期"
#define MSG_CANNOT_WRITE_WHY_ZH \
	"无法写入 %s：%s"
#define MSG_REPORT_OPTIONS_ONLY_ZH \
	"--by、--missing 和 --html 是 ward report 的选项，不能用于 ward %s"
#define MSG_REPORT_PAGE_WRITTEN_ZH \
	"\n报表页面已写入 %s（仅本用户可读）。用浏览器打开（file://%s），或打印为 A4。\n"
#define MSG_SHOW_CONFLICT_ZH \
	"  %-20s 冲突：有 %zu 个并存的值：\n"
#define MSG_USAGE_HEAD_ZH \
	"用法：ward 命令 [参数] [--data 目录] [--json]\n" \
	"\n"
#define MSG_USAGE_SETUP_ZH \
	"建立节点：\n" \
	"  ward init --data 目录 --role 角色 --name 名称 --scope 辖区代码 [--listen 主机:端口]\n" \
	"      角色：health 卫生健康，township 乡镇街道，police 公安，civil 民政，\n" \
	"      disabled 残联，legal 政法委，auditor 审计\n" \
	"  ward network create --data 目录 --member 文件.pub ... --out 名册\n" \
	"  ward network join --data 目录 名册\n" \
	"\n"
#define MSG_USAGE_RECORDS_ZH \
	"记录：\n" \
	"  ward add 类型 [scope=辖区代码] 字段=值...     新建记录，输出其编号\n" \
	"  ward set 编号 字段=值|字段+=值|字段-=值...   修改字段（值为空即清除）\n" \
	"  ward show 编号 [--timeline]                  各字段、填写者、冲突；\n" \
	"                                               患者的各项事件（按日期）\n" \
	"  ward list 类型 [条件...] [--scope 辖区] [--special 值] [--csv 文件]\n" \
	"      条件：字段=值，字段=N..（不小于 N），字段=..N，字段=A..B，\n" \
	"      字段>=N，字段<=N。后两种须加引号（'risk>=3'）：shell 会把 >= 当作\n" \
	"      重定向并生成名为 '=3' 的文件；risk=3.. 不需要引号\n" \
	"      list patient care_group=   没有关爱帮扶小组的患者（类型=yes：有的）\n" \
	"  ward history 编号                            记录的全部操作\n" \
	"  ward retract 编号 --reason 原因              撤销记录（不再计入）\n" \
	"  ward duplicates                              身份证号或患者编号相同的患者\n" \
	"  ward help 类型                               某类记录的字段和取值\n" \
	"\n"
#define MSG_USAGE_WORK_ZH \
	"随访工作与指标：\n" \
	"  ward due [--scope 辖区] [--on 日期 | --month YYYY-MM] [--csv 文件]\n" \
	"                                               应随访或已逾期的患者，逾期最久的在前；\n" \
	"                                               --month：当月应随访的患者，按日期排列\n" \
	"  ward joint-missing [--scope 辖区] [--on 日期] [--csv 文件]\n" \
	"                                               危险性 3 级及以上且此后没有联合随访的患者\n" \
	"  （--csv 文件：输出供打印的名单，UTF-8 带 BOM，权限 0600）\n" \
	"  ward report --from 日期 --to 日期 [--scope 辖区]  kpi-v1 各项指标\n" \
	"      [--by village|township|month]  按村（社区）、乡镇街道或月份分别统计\n" \
	"      [--missing 指标]  未达标的患者名单（如 regular_management）\n" \
	"      [--html 文件]     生成可在浏览器中打开或打印的报表页面\n" \
	"\n"
#define MSG_USAGE_REGISTERS_ZH \
	"台账（电子表格）：\n" \
	"  ward import --csv 文件 --type 类型 [--skip-bad] [--dry-run]   （或 --jsonl 文件）\n" \
	"      [--match patient_no|id_number|none]：没有编号的行按患者编号、其次按身份证号\n" \
	"      更新已有患者（监护人：按患者及身份证号或姓名；关爱帮扶小组：按患者）；\n" \
	"      重复导入不会新增记录\n" \
	"  ward export --csv 文件 --type 类型 [--scope 辖区] [--labels]  （或 --jsonl 文件）\n" \
	"      [--no-bom] [--retracted]：CSV 以 UTF-8 BOM 开头，便于电子表格打开；\n" \
	"      --labels 输出中文表头和取值；文件权限为 0600\n" \
	"  ward access-log                              本节点的查阅和导出记录\n" \
	"\n"
#define MSG_USAGE_LEDGER_ZH \
	"账本：\n" \
	"  ward status                                  节点、网络、记录流、状态摘要、\n" \
	"                                               各对端及其落后情况、分叉和\n" \
	"                                               状态不一致的证据\n" \
	"  ward audit verify                            检查每个条目，重新计算状态\n" \
	"  ward export --entries 文件                   导出签名条目（原样）\n" \
	"  ward import --entries 文件                   验证并应用这样的文件\n" \
	"  ward backup 目录                             本节点的一致副本\n" \
	"      （密钥、配置、数据库）写入目录（须为新的或空目录，权限 0700），节点\n" \
	"      运行与否均可。从备份启动的节点知道自己是恢复的：待其他节点确认\n" \
	"      其记录流后才会写入。切勿手工复制数据目录：落后于自身记录流的副本\n" \
	"      一旦写入就会造成分叉，每个节点都会持有证据。\n" \
	"  ward unblock --accept-fork-risk              在其他节点确认前即签名写入（恢复\n" \
	"                                               或非正常停止后，且无法连接任何节点时）\n" \
	"\n"
#define MSG_USAGE_FOOT_ZH \
	"设置了环境变量 WARD_DATA 时可省略 --data。多值字段的各个值用 '|' 分隔。\n" \
	"编号：类型-<32 位十六进制>，或至少 6 位、能唯一确定记录的十六进制前缀。\n" \
	"退出码：0 成功，1 检查未通过，2 用法或输入有误，3 未找到或不唯一，\n" \
	"4 未初始化或未加入网络，5 忙，6 读写错误。\n"
#define MSG_SHOW_NO_EFFECT_ZH \
	"  未生效：%s\n"
#define MSG_VALUE_CLEARED_ZH \
	"（已清除）"
#define MSG_VALUE_YES_ZH \
	"是"
#define MSG_VALUE_NO_ZH \
	"否"

/* issue 10: roster versions (node/api/api_roster.c, cli/roster.c) */
#define MSG_ROSTER_USAGE_ZH \
	"用法：ward roster propose 变更... [--note 说明] | pending [--json] | sign 编号 | show [--version N] [--json] | log | export --out 文件"
#define MSG_ROSTER_USAGE_PROPOSE_ZH \
	"用法：ward roster propose 变更... [--note 说明]；变更为：add 文件.pub | remove 节点 | set 节点 address=主机:端口|cert=文件.pem|key=文件.pub|role=角色|scope=区划代码 | revoke 节点 [--from 区划:序号]... | admins add 节点 | admins remove 节点 | threshold K | schema 版本"
#define MSG_ROSTER_NO_SUCH_NODE_ZH \
	"名册中没有成员“%s”：请用成员名称、十六进制公钥或其唯一的十六进制前缀指定成员（见 ward roster show）"
#define MSG_ROSTER_AMBIGUOUS_NODE_ZH \
	"“%s”对应多个成员：请给出更长的公钥前缀"
#define MSG_ROSTER_ALREADY_MEMBER_ZH \
	"%s 已是成员（名称 %s）"
#define MSG_ROSTER_REMOVE_ADMIN_FIRST_ZH \
	"%s 是管理员：请先提议“admins remove %s”再移除它"
#define MSG_ROSTER_LAST_ADMIN_ZH \
	"移除 %s 将不再有管理员：请先增加另一名管理员"
#define MSG_ROSTER_ALREADY_ADMIN_ZH \
	"%s 已是管理员"
#define MSG_ROSTER_NOT_ADMIN_ZH \
	"%s 不是管理员"
#define MSG_ROSTER_BAD_THRESHOLD_ZH \
	"门限 %llu 对 %zu 名管理员无效：须至少为 1、不超过管理员人数且超过其半数（至少 %zu）"
#define MSG_ROSTER_BAD_NUMBER_ZH \
	"“%s”不是数字"
#define MSG_ROSTER_SCHEMA_UNKNOWN_ZH \
	"本程序不认识模式版本 %llu（最高认识 %d）：请先升级 ward"
#define MSG_ROSTER_BAD_SET_ZH \
	"set 的参数应为 address=主机:端口、cert=文件.pem、key=文件.pub、role=角色 或 scope=区划代码，而不是“%s”"
#define MSG_ROSTER_BAD_ROLE_ZH \
	"“%s”不是角色：health、township、police、civil、disabled、legal、auditor"
#define MSG_ROSTER_BAD_SCOPE_ZH \
	"“%s”不是区划代码"
#define MSG_ROSTER_BAD_FROM_ZH \
	"--from 的参数应为 区划:序号，例如 120116001:42，而不是“%s”"
#define MSG_ROSTER_NO_HEADS_ZH \
	"本节点没有 %s 写的任何条目：请用 --from 区划:序号 给出界限"
#define MSG_ROSTER_BAD_CHANGE_ZH \
	"“%s”不是变更：应为 add、remove、set、revoke、admins、threshold 或 schema（见 ward roster help）"
#define MSG_ROSTER_NO_CHANGE_ZH \
	"该提议没有任何变更"
#define MSG_ROSTER_NOTE_TOO_LONG_ZH \
	"说明超过 1 KiB"
#define MSG_ROSTER_REFUSED_ZH \
	"提议被拒绝，未做任何更改：%s"
#define MSG_ROSTER_CANNOT_READ_CERT_ZH \
	"无法读取证书 %s"
#define MSG_ROSTER_CERT_REFUSED_ZH \
	"证书 %s 被拒绝：%s"
#define MSG_ROSTER_KEY_TAKEN_ZH \
	"%s 中的公钥已属于某个成员"
#define MSG_ROSTER_NO_PROPOSAL_ZH \
	"本节点没有提议“%s”（见 ward roster pending）"
#define MSG_ROSTER_AMBIGUOUS_PROPOSAL_ZH \
	"“%s”对应多个提议：请给出更长的编号"
#define MSG_ROSTER_NOT_ADMIN_SIGN_ZH \
	"本节点不是名册版本 %llu 的管理员：只有管理员才能签署提议"
#define MSG_ROSTER_SIGN_REFUSED_ZH \
	"未签署，未做任何更改：%s"
#define MSG_ROSTER_NO_VERSION_ZH \
	"本节点没有名册版本 %lld（持有版本 1 至 %llu）"
#define MSG_ROSTER_CANNOT_WRITE_ZH \
	"无法写入 %s：%s"
#define MSG_ROSTER_PROPOSED_ZH \
	"名册版本 %lld 的提议：已有 %lld / %lld 个签名%s\n"
#define MSG_ROSTER_NOW_IN_FORCE_ZH \
	"；现已生效"
#define MSG_ROSTER_SIGNED_ZH \
	"已签署 %.16s；生效的名册版本：%lld%s\n"
#define MSG_ROSTER_EXPORTED_ZH \
	"名册链（版本 1 至 %lld）已写入 %s\n"
#define MSG_ROSTER_NO_PENDING_ZH \
	"没有待签署的提议\n"
#define MSG_ROSTER_STATUS_ZH \
	"名册：   版本 %lld，%lld 个提议待签署\n"
#define MSG_ROSTER_REVOKE_NEEDED_ZH \
	"需要吊销：%s 在 %s 第 %lld 号签署了两个不同条目。请提议：\n    %s\n  （然后各管理员执行 ward roster sign 编号）\n"
#define MSG_ROSTER_ADMIN_FORKED_ZH \
	"管理员分叉：管理员 %s 为名册版本 %lld 签署了两个提议\n"
#define MSG_ROSTER_NEEDS_VALUE_ZH \
	"%s 需要一个值"
#define MSG_ROSTER_CANNOT_READ_ENTRIES_ZH \
	"无法读取条目文件 %s"
#define MSG_ROSTER_AUDIT_OFFLINE_USAGE_ZH \
	"用法：ward audit verify --roster 名册链 --entries 文件（无需节点），或 ward audit verify --data 目录"
#define MSG_ROSTER_EXPORTED_WITH_ZH \
	"名册链（版本 1 至 %lld）已写入 %s\n"
#define MSG_W_NOT_MEMBER_NOW_ZH \
	"本节点不是名册版本 %llu 的成员（已被移除或已更换密钥）：不能写入"
#define MSG_W_SCHEMA_UNKNOWN_ZH \
	"生效的名册使用模式版本 %llu，本程序不认识：请升级 ward"
#define MSG_W_REJUDGING_ZH \
	"在新名册版本下重新判定条目时数据库出错；请重试"
#define MSG_USAGE_ROSTER_ZH \
	"变更网络（名册版本，须 n 名管理员中的 k 名签署）：\n  ward roster propose 变更... | pending | sign 编号 | show | log | export\n                                               （ward roster help）\n  ward export --entries 文件 --with-roster     另将名册链写入 文件.roster\n  ward audit verify --roster 名册链 --entries 文件   审计方离线核查，无需节点\n\n"
#define MSG_ROSTER_PENDING_LINE_ZH \
	"%s  版本 %lld  提议者 %s  签名 %lld / %lld\n"
#define MSG_ROSTER_NOTE_LINE_ZH \
	"  说明：%s\n"
#define MSG_ROSTER_CHANGES_LABEL_ZH \
	"  变更："
#define MSG_ROSTER_SIGNED_BY_LABEL_ZH \
	"  签署者："
#define MSG_ROSTER_SHOW_HEAD_ZH \
	"名册版本 %lld  编号 %.16s  门限 %lld  模式版本 %lld\n"
#define MSG_ROSTER_ADMIN_MARK_ZH \
	" 管理员"
#define MSG_ROSTER_REVOKED_AFTER_ZH \
	" 已吊销：%s 第 %lld 号之后"
#define MSG_ROSTER_LOG_HEAD_ZH \
	"版本 %lld  %.16s\n"
#define MSG_ROSTER_AUDIT_SUMMARY_ZH \
	"审计%s：%lld 个条目，名册版本 %lld，%zu 项发现，摘要 %s\n"
#define MSG_ROSTER_AUDIT_OK_ZH \
	"通过"
#define MSG_ROSTER_AUDIT_FAILED_ZH \
	"未通过"
#define MSG_ROSTER_HELP_ZH \
	"变更网络（名册版本，须 n 名管理员中的 k 名签署）：\n  ward roster propose 变更... [--note 说明]    输出提议编号\n      变更：add 文件.pub | remove 节点 | set 节点 address=主机:端口\n      | set 节点 cert=文件.pem | set 节点 key=文件.pub | set 节点 role=角色\n      | set 节点 scope=区划代码 | revoke 节点 [--from 区划:序号]...\n      | admins add 节点 | admins remove 节点 | threshold K | schema 版本\n      节点：成员名称、十六进制公钥或其唯一前缀\n  ward roster pending [--json]                 本节点持有的提议及签名\n  ward roster sign 编号                        加上本管理员的签名\n  ward roster show [--version N] [--json]      名册（生效版本或版本 N）\n  ward roster log [--json]                     各版本：签署者与变更\n  ward roster export --out 文件                名册链，供 network join 使用\n"
#define MSG_RATE_ZH \
	"指标"
#define MSG_NUM_ZH \
	"分子"
#define MSG_DENOM_ZH \
	"分母"
#define MSG_VALUE_ZH \
	"数值"
#define MSG_TARGET_ZH \
	"目标"
#define MSG_TIME_ZH \
	"时间"
#define MSG_USER_ZH \
	"用户"
#define MSG_ACTION_ZH \
	"操作"
#define MSG_COUNT_ZH \
	"记录数"
#define MSG_WHAT_ZH \
	"内容"
#define MSG_CONFLICT_SHOWN_VALUE_EXPORTED_ZH \
	"存在冲突（已导出显示值）："
#define MSG_RETRACTED_ZH \
	"已撤销"
#define MSG_RELATED_ZH \
	"相关记录："
#define MSG_ACCEPTED_ZH \
	"  已接收"
#define MSG_MONTH_ZH \
	"月份"
#define MSG_AREA_ZH \
	"区划"
#define MSG_NAME_ZH \
	"名称"
#define MSG_REG_ZH \
	"在册"
#define MSG_LEVEL_ZH \
	"（本级）"
#define MSG_PATIENT_NO_ZH \
	"档案号"
#define MSG_NAME_2_ZH \
	"姓名"
#define MSG_SCOPE_ZH \
	"辖区"
#define MSG_PHONE_ZH \
	"电话"
#define MSG_ID_ZH \
	"编号"
#define MSG_RT_MANAGED_ZH \
	"管理率"
#define MSG_RT_REGULAR_ZH \
	"规范管理率"
#define MSG_RT_FACE2FACE_ZH \
	"面访率"
#define MSG_RT_REGMED_ZH \
	"规律服药率"
#define MSG_GAP_MANAGEMENT_ZH \
	"未管理"
#define MSG_GAP_REGULAR_MANAGEMENT_ZH \
	"未规范管理"
#define MSG_GAP_FACE_TO_FACE_ZH \
	"未面访"
#define MSG_GAP_MEDICATION_ZH \
	"未服药"
#define MSG_GAP_REGULAR_MEDICATION_ZH \
	"未规律服药"
#define MSG_GAP_STABILITY_ZH \
	"已管理但病情不稳定"
#define MSG_GAP_FREE_MED_SHARE_ZH \
	"已管理但未免费服药"
#define MSG_GAP_FREE_MED_CONSENT_ZH \
	"免费服药但未签知情同意"
#define MSG_T_REPORT_HEAD_ZH \
	"辖区 %s  统计期 %s 至 %s  口径 %s  常住人口 %s\n"
#define MSG_T_ALL_ZH \
	"全部"
#define MSG_T_DUP_GROUP_ZH \
	"%s %s：%zu 人\n"
#define MSG_T_DUP_COUNT_ZH \
	"共 %zu 组疑似重复\n"
#define MSG_T_BAD_ZH \
	"错误"
#define MSG_T_MORE_BAD_ZH \
	"条错误未列出"
#define MSG_T_DRY_OK_ZH \
	"已检查 %lld 行：全部正确（试运行，未写入）\n"
#define MSG_T_SKIP_BAD_HINT_ZH \
	"（--skip-bad 可导入正确的行）"
#define MSG_T_NOTHING_WRITTEN_ZH \
	"已检查 %lld 行：%lld 行有误；未写入%s\n"
#define MSG_T_IMPORTED_ZH \
	"%lld 行：新建 %lld，更新 %lld，未变 %lld，跳过错误行 %lld（%lld 个条目，%s 秒）\n"
#define MSG_T_MISSING_HEAD_ZH \
	"\n%s：%zu 人\n"
#define MSG_RATE_PREVALENCE_ZH \
	"报告患病率"
#define MSG_RATE_MANAGEMENT_ZH \
	"在册患者管理率"
#define MSG_RATE_REGULAR_MANAGEMENT_ZH \
	"规范管理率"
#define MSG_RATE_FACE_TO_FACE_ZH \
	"面访率"
#define MSG_RATE_MEDICATION_ZH \
	"服药率"
#define MSG_RATE_REGULAR_MEDICATION_ZH \
	"规律服药率"
#define MSG_RATE_STABILITY_ZH \
	"病情稳定率"
#define MSG_RATE_FREE_MED_SHARE_ZH \
	"免费服药比例"
#define MSG_RATE_FREE_MED_CONSENT_ZH \
	"免费服药知情同意率"
#define MSG_RATE_INCIDENT_ZH \
	"肇事肇祸率"
#define MSG_REL_GUARDIAN_ZH \
	"监护人"
#define MSG_REL_LAST_VISIT_ZH \
	"最近随访"
#define MSG_REL_LAST_RISK_ZH \
	"最近评估"
#define MSG_REL_OPEN_SEARCH_ZH \
	"失联查找"
#define MSG_REL_AGREEMENT_ZH \
	"协议"
#define MSG_REL_CARE_GROUP_ZH \
	"关爱帮扶小组"
#define MSG_REL_HOSPITAL_STAY_ZH \
	"住院"
#define MSG_REL_FREE_MED_ZH \
	"免费服药"
#define MSG_REL_INCIDENT_ZH \
	"肇事肇祸"
#define MSG_REL_TRANSFER_OUT_ZH \
	"转出"
#define MSG_REL_MOVED_FROM_ZH \
	"转自"
#define MSG_REL_MOVED_TO_ZH \
	"转入记录"
#define MSG_T_RECORD_HEAD_ZH \
	"%s  （%s，辖区 %s）\n"
#define MSG_ALLOWED_ROLES_ZH \
	"按字节序排列、以“,”连接的角色代码"
#define MSG_ALLOWED_KEY_ID_ZH \
	"16 字节密钥编号"
#define MSG_ALLOWED_ENVELOPE_ZH \
	"密钥信封 [接收方, 密文]"
#define MSG_F_NOT_SEALED_ZH \
	"%s 是加密字段：明文值不生效"
#define MSG_F_SEALED_IN_PLAIN_ZH \
	"%s 不是加密字段：密文值不生效"
#define MSG_F_NO_KEY_ZH \
	"%s：此密文所用的读者组（%s，辖区 %s）密钥尚未到达"
#define MSG_F_KEY_NOT_IN_GROUP_ZH \
	"密钥记录的写入者（角色 %s）须属于其角色 %s"
#define MSG_F_KEY_SET_ONCE_ZH \
	"密钥记录的 %s 只能设置一次"
#define MSG_F_KEY_NEEDS_ROLES_ZH \
	"密钥记录的 key_id 须在创建它的条目中、在 roles 之后设置"
#define MSG_F_ENVELOPE_RECIPIENT_ZH \
	"密钥信封的接收方 %s 不是该读者组成员"
#define MSG_W_SEAL_FAILED_ZH \
	"有值无法加密（ward 的错误，请报告）"
#define MSG_CANNOT_READ_FIELD_HERE_ZH \
	"此节点无权读取该字段：%s 已加密，仅限特定角色或辖区读取"
#define MSG_SEALED_ZH \
	"已加密"
#define MSG_UNREADABLE_ZH \
	"无法解密"
#define MSG_STATUS_KEYS_ZH \
	"加密字段的读者组密钥（%zu 个组）：\n"
#define MSG_STATUS_KEY_GROUP_ZH \
	"  %s @ %s：已持有 %lld，缺少 %lld%s\n"
#define MSG_STATUS_KEY_NOT_CURRENT_ZH \
	"（尚无适用于现行名册的密钥：下次写入时生成）"
#define MSG_F_SEALED_UNREADABLE_ZH \
	"%s（记录 %s）：密文无法解密或校验不通过"
#define MSG_F_ENVELOPE_WRONG_KEY_ZH \
	"发给本节点的密钥信封与密钥记录的 key_id 不符（已忽略）"
#define MSG_AUDIT_SEALED_ZH \
	"加密值：本节点解密 %llu 个，无权读取 %llu 个，无法解密 %llu 个\n"
#define MSG_CANNOT_OPEN_MEMORY_LEDGER_ZH \
	"无法在内存中打开账本"

#define MSG_ENTRY_MALFORMED_ZH \
	"条目格式错误"
#define MSG_ENTRY_NOT_PAIR_ZH \
	"条目不是 [正文, 签名]"
#define MSG_ENTRY_TRAILING_ZH \
	"条目之后有多余字节"
#define MSG_ENTRY_BODY_TOO_LARGE_ZH \
	"正文超过 64 KiB"
#define MSG_ENTRY_BODY_ARITY_ZH \
	"正文不是 8 项的数组"
#define MSG_ENTRY_VERSION_ZH \
	"未知的条目格式版本"
#define MSG_ENTRY_AUTHOR_ZH \
	"作者字段有误"
#define MSG_ENTRY_SCOPE_ZH \
	"辖区字段有误"
#define MSG_ENTRY_SEQ_ZH \
	"序号字段有误"
#define MSG_ENTRY_PREV_ZH \
	"前一条目字段有误"
#define MSG_ENTRY_HLC_ZH \
	"混合逻辑时钟或名册版本字段有误"
#define MSG_ENTRY_OPS_ZH \
	"操作数组有误"
#define MSG_ENTRY_OP_ZH \
	"操作格式错误"
#define MSG_ENTRY_CREATE_ID_ZH \
	"新建操作的实体编号不是由其点位导出的"
#define MSG_ENTRY_TRAILING_BODY_ZH \
	"正文之后有多余字节"
#define MSG_I_NOT_JOINED_ZH \
	"本节点尚未加入网络"
#define MSG_I_REJUDGE_PENDING_ZH \
	"按新名册版本重新判定条目时存储出错；正在重试"
#define MSG_I_ROSTER_ZERO_ZH \
	"名册版本为 0"
#define MSG_I_ROSTER_UNKNOWN_ZH \
	"引用了尚不知道的名册版本"
#define MSG_I_SCHEMA_UNKNOWN_ZH \
	"引用的名册所用的数据结构版本本程序不认识（请升级 ward）"
#define MSG_I_UNKNOWN_AUTHOR_ZH \
	"未知作者"
#define MSG_I_BAD_SIGNATURE_ZH \
	"签名无效"
#define MSG_I_HEAD_UNREADABLE_ZH \
	"无法读取条目流的最新位置"
#define MSG_I_FEED_CAP_ZH \
	"其作者的条目流已达上限（1024）"
#define MSG_I_FORK_ZH \
	"分叉：该序号已有另一条目"
#define MSG_I_BELOW_HEAD_MISSING_ZH \
	"日志中缺少条目流最新位置之前的条目"
#define MSG_I_SEQ_GAP_ZH \
	"序号不连续"
#define MSG_I_PREV_MISMATCH_ZH \
	"前一条目与条目流中的上一条不符"
#define MSG_I_PREV_FORK_ZH \
	"前一条目指向的不是本节点所存的上一条：其作者使条目流分叉"
#define MSG_I_HLC_NOT_INCREASING_ZH \
	"混合逻辑时钟没有递增"
#define MSG_I_ROSTER_DECREASING_ZH \
	"名册版本倒退"
#define MSG_I_STORE_WRITE_FAILED_ZH \
	"存储写入失败"
#define MSG_I_NOT_MESSAGEPACK_ZH \
	"条目格式错误：不是一个 MessagePack 值"
#define MSG_I_BAD_ENTRY_ZH \
	"条目无效"
#define MSG_IMPORT_AT_ZH \
	"第 %zu 条（条目流 %.16s/%s 序号 %llu）：%s"
#define MSG_IMPORT_AT_INDEX_ZH \
	"第 %zu 条：%s"
#define MSG_IMPORT_FEED_GAP_ZH \
	"第 %zu 条：其条目流有缺口（缺少更早的条目）"
#define MSG_AUDIT_OFF_TRAILING_ZH \
	"条目文件：第 %zu 条之后的字节不是条目"
#define MSG_AUDIT_OFF_WAITS_ZH \
	"第 %zu 条在等待文件中缺少的名册版本或更早的条目"
#define MSG_P_VV_NOT_ARRAY_ZH \
	"检查点的向量不是数组"
#define MSG_P_VV_TOO_LONG_ZH \
	"检查点的向量比其字节还长"
#define MSG_P_VV_ITEM_ZH \
	"检查点向量中有格式错误的项"
#define MSG_P_VV_ORDER_ZH \
	"检查点的向量未排序或有重复"
#define MSG_P_CP_NOT_PAIR_ZH \
	"检查点不是 [正文, 签名]"
#define MSG_P_CP_HEADER_ZH \
	"检查点头部格式错误"
#define MSG_P_CP_DIGEST_ZH \
	"检查点摘要格式错误"
#define MSG_P_CP_OUTSIDER_ZH \
	"检查点由名册之外的节点签名"
#define MSG_P_CP_SIGNATURE_ZH \
	"检查点签名无效"
#define MSG_P_DIV_SELF_ZH \
	"分歧证明中的两个检查点来自同一节点"
#define MSG_P_DIV_STATES_ZH \
	"分歧证明中的检查点对应不同的状态"
#define MSG_P_DIV_AGREE_ZH \
	"分歧证明中的检查点彼此一致"
#define MSG_P_CP_OWN_ZH \
	"本节点自己的检查点被发回"
#define MSG_P_FORK_DIFFERENT_ZH \
	"分叉证明中的条目属于不同的条目流或序号"
#define MSG_P_FORK_SAME_ZH \
	"分叉证明中是同一条目两次"
#define MSG_P_FORK_OUTSIDER_ZH \
	"分叉证明的作者不在名册中"
#define MSG_P_FORK_SIGNATURE_ZH \
	"分叉证明中有无效签名"
#define MSG_R_BODY_ZH \
	"名册正文格式错误"
#define MSG_R_PREV_NIL_ZH \
	"名册的前一版本仅在版本 1 时为空"
#define MSG_R_THRESHOLD_ZERO_ZH \
	"名册的签名门槛为 0：至少须有一名管理员签名"
#define MSG_R_NO_ADMIN_ZH \
	"名册中没有管理员"
#define MSG_R_THRESHOLD_HIGH_ZH \
	"名册的签名门槛超过其管理员人数"
#define MSG_R_MEMBER_ZH \
	"名册成员格式错误"
#define MSG_R_MEMBER_TWICE_ZH \
	"名册重复列出同一成员"
#define MSG_R_NOT_PAIR_ZH \
	"名册不是 [正文, 签名]"
#define MSG_R_NOT_GENESIS_ZH \
	"不是创始名册"
#define MSG_R_SIG_ZH \
	"名册签名验证失败"
#define MSG_R_TOO_FEW_SIGS_ZH \
	"名册的管理员签名不足"
#define MSG_R_VERSION_HELD_ZH \
	"已持有该版本的名册"
#define MSG_R_VERSION_GAP_ZH \
	"名册版本必须逐个相接，不能有缺口"
#define MSG_R_PREV_WRONG_ZH \
	"名册的前一版本不是其上一个版本"
#define MSG_R_THRESHOLD_HALF_ZH \
	"名册的签名门槛必须超过其管理员人数的一半"
#define MSG_R_SIGNER_NOT_ADMIN_ZH \
	"名册由上一版本中不是管理员的密钥签名"
#define MSG_R_SIG_TWICE_ZH \
	"名册中同一管理员的签名出现两次"
#define MSG_R_SIG_BODY_ZH \
	"名册签名与其正文不符"
#define MSG_R_TOO_FEW_PREV_SIGS_ZH \
	"名册缺少足够的上一版本管理员签名"
#define MSG_R_AT_VERSION_ZH \
	"名册版本 %llu：%s"
#define MSG_R_NOT_CHAIN_ZH \
	"不是名册，也不是名册链"
#define MSG_R_CHAIN_ITEM_MALFORMED_ZH \
	"名册链中的第 %zu 个名册格式错误"
#define MSG_R_CHAIN_ITEM_ZH \
	"名册链中的第 %zu 个名册：%s"
#define MSG_R_CHAIN_ORDER_ZH \
	"名册链中的第 %zu 个名册版本为 %llu：名册链须从 1 起按顺序包含每个版本，不得有缺口或重复"
#define MSG_R_CHAIN_TRAILING_ZH \
	"名册链之后有多余字节"
#define MSG_R_ALONE_ZH \
	"单独的名册版本 %llu 无法核验：请用完整的名册链加入（ward roster export）"
#define MSG_R_OTHER_HELD_ZH \
	"本节点持有另一个名册版本 %llu"
#define MSG_R_NOT_SUCCESSOR_ZH \
	"名册版本 %llu 不是版本 %llu 的有效后继：%s"
#define MSG_R_OTHER_NETWORK_ZH \
	"本节点已属于另一个网络"
#define MSG_R_CHAIN_DIFFERS_ZH \
	"名册链中的版本 %zu 与本节点所持有的不同"
#define MSG_R_WRITE_FAILED_ZH \
	"无法写入名册"
#define MSG_R_REJUDGE_FAILED_ZH \
	"无法按新名册重新判定条目"
#define MSG_PR_NOTE_LONG_ZH \
	"附言超过 1 KiB"
#define MSG_PR_MALFORMED_ZH \
	"提议格式错误"
#define MSG_PR_IN_FORCE_ZH \
	"提议针对的版本已生效"
#define MSG_PR_TOO_FAR_ZH \
	"提议针对的是下一版本之后的版本"
#define MSG_PR_NOT_MEMBER_ZH \
	"提议不是由现行名册的成员签名"
#define MSG_PR_MEMBER_FULL_ZH \
	"该成员在本节点的提议已达每名成员的上限；请签署或等待某一提议生效"
#define MSG_PR_NODE_FULL_ZH \
	"本节点持有的提议已达上限；请签署或等待某一提议生效"
#define MSG_PR_NO_SUCH_ZH \
	"没有这个提议"
#define MSG_PR_NOT_ADMIN_ZH \
	"本节点不是现行名册的管理员"
#define MSG_PR_SCHEMA_ZH \
	"该提议使用本程序不认识的数据结构版本：请先升级 ward 再签署"
#define MSG_PR_SIGNED_OTHER_ZH \
	"该管理员已为此版本签署了另一提议；签署两个会证明其分叉"
#define MSG_ROSTER_LOG_GENESIS_ZH \
	"创始版本：%zu 名成员，%zu 名管理员，签名门槛 %llu"
#define MSG_SYNC_FAILED_AFTER_WRITE_ZH \
	"%s 中的磁盘同步在命令写入后未获确认：断电时该写入可能丢失；请检查磁盘（dmesg）并运行 ward audit verify"

#endif
