<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>qf::ui::Language</name>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language changes when QuantFold starts again.</source>
        <translation>界面语言将在 QuantFold 下次启动时更改。</translation>
    </message>
</context>
<context>
    <name>qf::ui::PropertiesPanel</name>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>Zeros</source>
        <translation>零值</translation>
    </message>
    <message>
        <source>%1 values are NaN or infinite</source>
        <translation>%1 个值为 NaN 或无穷大</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy all properties as text (tab-separated)</source>
        <translation>将全部属性复制为文本（以制表符分隔）</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>未打开模型</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Layer %1: %2 (%3)</source>
        <translation>第 %1 层：%2（%3）</translation>
    </message>
    <message>
        <source>Inferring shapes…</source>
        <translation>正在推断形状…</translation>
    </message>
    <message>
        <source>Shapes are unknown past a layer that cannot run: %1</source>
        <translation>无法运行的层之后的形状未知：%1</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>计算量</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Multiply-accumulates</source>
        <translation>乘累加次数</translation>
    </message>
    <message>
        <source>unknown (shapes needed)</source>
        <translation>未知（需要形状）</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>From</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>graph input</source>
        <translation>图输入</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Output channels</source>
        <translation>输出通道</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>通道数</translation>
    </message>
    <message>
        <source>All-zero channels</source>
        <translation>全零通道</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Per channel (ε = %1)</source>
        <translation>逐通道参数（ε = %1）</translation>
    </message>
    <message>
        <source>Near-zero variance (&lt; %1·ε)</source>
        <translation>方差接近零（&lt; %1·ε）</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>Variance</source>
        <translation>方差</translation>
    </message>
    <message>
        <source>γ</source>
        <translation>γ</translation>
    </message>
    <message>
        <source>β</source>
        <translation>β</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Model %1</source>
        <translation>模型 %1</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message numerus="yes">
        <source>(%n layer(s) not counted: shapes unknown)</source>
        <translation>
            <numerusform>（%n 层未计入：形状未知）</numerusform>
        </translation>
    </message>
    <message>
        <source>Heaviest layers</source>
        <translation>计算量最大的层</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Op</source>
        <translation>算子</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>乘累加</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Layers by op</source>
        <translation>按算子统计的层数</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>weight range (min to max)</source>
        <translation>权重范围（最小值至最大值）</translation>
    </message>
    <message>
        <source>min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>all-zero channel</source>
        <translation>全零通道</translation>
    </message>
    <message>
        <source>output channel</source>
        <translation>输出通道</translation>
    </message>
    <message>
        <source>weight range</source>
        <translation>权重范围</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>variance</source>
        <translation>方差</translation>
    </message>
    <message>
        <source>near-zero variance</source>
        <translation>方差接近零</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>%1 — %2, %3</source>
        <translation>%1 — %2，%3</translation>
    </message>
    <message>
        <source>Near-zero channels (max |w| &lt; %1 of the layer's)</source>
        <translation>接近零的通道（最大 |w| &lt; 本层最大值的 %1）</translation>
    </message>
    <message>
        <source>near-zero channel</source>
        <translation>接近零的通道</translation>
    </message>
</context>
</TS>
