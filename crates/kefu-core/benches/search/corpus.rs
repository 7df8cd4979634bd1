//! A seeded, realistic corpus of Chinese customer-service chat: parcels, refunds, invoices,
//! orders, products, with order, phone and tracking numbers, English, emoji and the odd
//! full-width text. The same seed gives the same corpus on every machine.

use kefu_emulator::rng::Rng;
use serde_json::{Value, json};

const ACCOUNTS: [&str; 3] = [
    "wkBenchAfterSales00000000000001",
    "wkBenchPreSales0000000000000002",
    "wkBenchInvoices0000000000000003",
];

const PRODUCTS: &[&str] = &[
    "iPhone 15 Pro",
    "iPhone 15",
    "小米手环8",
    "华为Mate 60",
    "AirPods Pro 2",
    "戴森V12吸尘器",
    "飞利浦电动牙刷",
    "美的空气炸锅",
    "索尼WH-1000XM5",
    "Kindle Paperwhite",
    "九阳豆浆机",
    "罗技MX Master 3S",
    "任天堂Switch",
    "小米14 Ultra",
    "格力空调",
    "欧莱雅面霜",
    "安踏跑鞋",
    "李宁羽毛球拍",
    "三只松鼠坚果礼盒",
    "iPad Air",
];
const COURIERS: &[&str] = &["顺丰", "京东物流", "中通", "圆通", "韵达", "EMS", "申通"];
const CITIES: &[&str] = &[
    "北京市朝阳区",
    "上海市浦东新区",
    "广州市天河区",
    "深圳市南山区",
    "杭州市西湖区",
    "成都市武侯区",
    "武汉市洪山区",
    "南京市鼓楼区",
    "西安市雁塔区",
    "重庆市渝中区",
];
const EMOJI: &[&str] = &["😊", "🙏", "👍", "😭", "😡", "🎉", "❤️", "🤔"];
const CUSTOMER_LINES: &[&str] = &[
    "你好，我的快递怎么还没到？单号{track}",
    "请问{product}什么时候发货",
    "我要申请退款，订单号{order}",
    "退款什么时候到账啊{emoji}",
    "发票能开吗？抬头是{company}",
    "麻烦帮我查一下订单{order}的物流",
    "收到的{product}有质量问题，屏幕有划痕",
    "地址填错了，改成{city}{street}",
    "手机号{phone}，收件人{name}",
    "好的谢谢{emoji}",
    "在吗",
    "怎么联系人工客服",
    "已经三天了还没发货，能不能快点",
    "{product}还有货吗？想买两台",
    "优惠券用不了，提示已过期",
    "我想换货，尺码不合适",
    "快递显示已签收但是我没收到",
    "发票开错了，税号是{tax}",
    "请问支持七天无理由退货吗",
    "价格能便宜点吗，{amount}元有点贵",
    "my order {order} has not arrived yet",
    "Can I get a refund for the {product}?",
    "ok",
    "收到了，{product}很好用{emoji}",
    "为什么退款被拒绝了？",
    "能不能开增值税专用发票",
    "包装破损了，里面的东西也坏了",
    "物流一直停在{city}不动",
    "我的会员积分怎么没有了",
    "电话打不通，{phone}是我的号码",
];
const AGENT_LINES: &[&str] = &[
    "您好，很高兴为您服务，请问有什么可以帮您？",
    "已为您查询，{courier}单号{track}，预计明天送达",
    "退款已提交，金额{amount}元，预计1-3个工作日原路退回",
    "发票已开具，电子发票将发送到您的邮箱",
    "抱歉给您带来不便，我们马上为您处理",
    "请提供一下您的订单号，我帮您查询",
    "{product}目前有货，下单后48小时内发货",
    "已为您修改收货地址为{city}{street}",
    "好的，请您耐心等待，有进展会第一时间通知您",
    "请问还有其他问题吗？",
    "该订单{order}已发货，请注意查收",
    "根据售后政策，支持七天无理由退货，请保持商品完好",
    "您的换货申请已通过，请寄回到{city}{street}，收件人{name} {phone}",
    "Thanks for waiting, your refund of {amount} CNY is on its way",
    "感谢您的耐心，祝您生活愉快{emoji}",
    "已为您补发优惠券，有效期至{date}",
    "税号{tax}已更新，发票重新开具中",
];
const NAMES: &[&str] = &[
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷", "吴昊",
];
const COMPANIES: &[&str] = &[
    "杭州云端科技有限公司",
    "深圳市星河贸易有限公司",
    "北京蓝海文化传媒有限公司",
    "上海晨光信息技术有限公司",
    "成都锦程餐饮管理有限公司",
];
const STREETS: &[&str] = &[
    "建国路88号",
    "人民路1024号",
    "科技园南区3栋",
    "解放大道56号",
    "中山路7号2单元",
];

/// Numbers planted in the corpus, for queries that must find something.
#[derive(Default)]
pub struct Planted {
    /// Phone numbers.
    pub phones: Vec<String>,
    /// Order numbers.
    pub orders: Vec<String>,
    /// Tracking numbers.
    pub tracks: Vec<String>,
}

/// Generates pages of `sync_msg` items in the wire format.
pub struct Corpus {
    rng: Rng,
    time: i64,
    seq: u64,
    customers: Vec<(String, u32)>,
    next_customer: u64,
    /// Sampled numbers.
    pub planted: Planted,
}

fn pick<'a>(rng: &mut Rng, list: &[&'a str]) -> &'a str {
    list[rng.below(list.len() as u64) as usize]
}

impl Corpus {
    /// A corpus starting at `start` (Unix seconds).
    pub fn new(seed: u64, start: i64) -> Self {
        Self {
            rng: Rng::new(seed),
            time: start,
            seq: 0,
            customers: Vec::new(),
            next_customer: 0,
            planted: Planted::default(),
        }
    }

    fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("closed slot");
            let slot = &rest[open + 1..close];
            let r = &mut self.rng;
            let value = match slot {
                "track" => {
                    let t = match r.below(3) {
                        0 => format!("SF{}", r.digits(12)),
                        1 => format!("JD{}", r.digits(13)),
                        _ => format!("75{}", r.digits(12)),
                    };
                    if self.seq.is_multiple_of(97) {
                        self.planted.tracks.push(t.clone());
                    }
                    t
                }
                "order" => {
                    let len = r.between(12, 19) as usize;
                    let o = r.digits(len);
                    if self.seq.is_multiple_of(89) {
                        self.planted.orders.push(o.clone());
                    }
                    o
                }
                "phone" => {
                    let p = format!("1{}{}", r.between(3, 9), r.digits(9));
                    if self.seq.is_multiple_of(83) {
                        self.planted.phones.push(p.clone());
                    }
                    p
                }
                "product" => pick(r, PRODUCTS).to_owned(),
                "courier" => pick(r, COURIERS).to_owned(),
                "city" => pick(r, CITIES).to_owned(),
                "street" => pick(r, STREETS).to_owned(),
                "emoji" => pick(r, EMOJI).to_owned(),
                "name" => pick(r, NAMES).to_owned(),
                "company" => pick(r, COMPANIES).to_owned(),
                "amount" => format!("{}.{:02}", r.between(9, 8999), r.below(100)),
                "tax" => format!("91{}{}", r.digits(6), r.alnum(10).to_uppercase()),
                "date" => format!("2026-{:02}-{:02}", r.between(1, 12), r.between(1, 28)),
                other => panic!("unknown slot {other}"),
            };
            out.push_str(&value);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        // Now and then typed with a full-width keyboard: matched through NFKC folding.
        if self.rng.chance(0.03) {
            out = out
                .chars()
                .map(|c| match c {
                    '0'..='9' | 'A'..='Z' | 'a'..='z' => {
                        char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
                    }
                    _ => c,
                })
                .collect();
        }
        out
    }

    fn customer(&mut self) -> String {
        // About 200 customers talk at once; each stays for 1–100 messages.
        if self.customers.len() < 200 || self.rng.chance(0.02) {
            self.next_customer += 1;
            let id = format!("wmBench{:018}", self.next_customer);
            let left = self.rng.between(1, 100) as u32;
            self.customers.push((id, left));
        }
        let i = self.rng.below(self.customers.len() as u64) as usize;
        let id = self.customers[i].0.clone();
        self.customers[i].1 -= 1;
        if self.customers[i].1 == 0 {
            self.customers.swap_remove(i);
        }
        id
    }

    /// The next page of `n` items for one of the accounts (pages of different accounts overlap
    /// in time, as when several accounts sync side by side).
    pub fn page(&mut self, n: usize) -> (String, Vec<Value>) {
        let account = ACCOUNTS[(self.seq / n as u64 % ACCOUNTS.len() as u64) as usize];
        let page_start = self.time;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            self.seq += 1;
            self.time += self.rng.below(3) as i64;
            let customer = self.customer();
            let from_customer = self.rng.chance(0.55);
            let mut item = if self.rng.chance(0.02) {
                let title = self.fill("{product}限时优惠，下单立减{amount}元");
                json!({"msgtype": "link", "link": {"title": title, "desc": "点击查看详情", "url": "https://example.com/p", "pic_url": "https://example.com/p.png"}})
            } else {
                let line = if from_customer {
                    pick(&mut self.rng, CUSTOMER_LINES)
                } else {
                    pick(&mut self.rng, AGENT_LINES)
                };
                json!({"msgtype": "text", "text": {"content": self.fill(line)}})
            };
            item["msgid"] = json!(format!("bench{:012}", self.seq));
            item["open_kfid"] = json!(account);
            item["external_userid"] = json!(customer);
            item["send_time"] = json!(self.time);
            if from_customer {
                item["origin"] = json!(3);
            } else {
                item["origin"] = json!(5);
                item["servicer_userid"] = json!("zhangsan");
            }
            items.push(item);
        }
        // The next account's page starts a little before this one ended.
        self.time = page_start + (self.time - page_start) * 2 / 3;
        (account.to_owned(), items)
    }
}
